"""Mounted at /runs/ by console/urls.py."""

from __future__ import annotations

from django.urls import path

from console.audit import views

app_name = "audit"

urlpatterns = [
    path("<uuid:run_id>", views.run_page, name="run"),
    path("<uuid:run_id>/rerun", views.run_rerun, name="rerun"),
    path("<uuid:run_id>/diff/<uuid:other_id>", views.run_diff, name="diff"),
    # Last: a short id as `history` shows it (`/runs/3f2a1b9c`) leads to the run's page.
    path("<str:ref>", views.short_link, name="short"),
]
