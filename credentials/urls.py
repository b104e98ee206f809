"""Include under `profiles/` in console/urls.py: path("profiles/", include("credentials.urls"))."""

from __future__ import annotations

from django.urls import path

from credentials import views

app_name = "credentials"

urlpatterns = [
    path("import", views.import_files, name="import"),
    path("config", views.download_config, name="download-config"),
]
