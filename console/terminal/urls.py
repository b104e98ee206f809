"""The files panel's endpoints (console/terminal/files.py), mounted at /files/ by console/urls.py."""

from __future__ import annotations

from django.urls import path

from console.terminal import files

app_name = "files"

urlpatterns = [
    path("list", files.listing, name="list"),
    path("download", files.download, name="download"),
    path("delete", files.delete, name="delete"),
    path("mkdir", files.make_dir, name="mkdir"),
    path("uploads", files.upload_start, name="uploads"),
    path("uploads/<str:upload_id>", files.upload, name="upload"),
]
