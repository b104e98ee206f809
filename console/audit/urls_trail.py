"""The audit trail export: mounted at /audit/ by console/urls.py, beside the log's pages."""

from __future__ import annotations

from django.urls import path

from console.audit import views_trail

app_name = "audit_trail"

urlpatterns = [
    path("trail.jsonl", views_trail.trail_export, name="export"),
]
