"""Mounted at /api/v1/ by console/urls.py."""

from __future__ import annotations

from django.urls import path, re_path

from console.api import views

app_name = "api"

urlpatterns = [
    path("runs", views.runs, name="runs"),
    path("runs/<uuid:run_id>", views.run_detail, name="run"),
    path("runs/<uuid:run_id>/output", views.run_output, name="run-output"),
    path("runs/<uuid:run_id>/cancel", views.run_cancel, name="run-cancel"),
    path("runs/<uuid:run_id>/rerun", views.run_rerun, name="run-rerun"),
    # Last: everything else under /api/v1/ is a JSON 404.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
