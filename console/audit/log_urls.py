"""Mounted at /audit/ by console/urls.py: the audit log, its Events tab and its exports."""

from __future__ import annotations

from django.urls import path

from console.audit import log

app_name = "audit_log"

urlpatterns = [
    path("", log.log_page, name="runs"),
    path("events", log.events_page, name="events"),
    path("export.csv", log.export_csv, name="export-csv"),
    path("export.jsonl", log.export_jsonl, name="export-jsonl"),
]
