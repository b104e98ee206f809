"""Mounted at /api/v1/ by console/urls.py."""

from __future__ import annotations

from django.urls import path, re_path

from console.api import approvals, elevations, teams, views

app_name = "api"

urlpatterns = [
    path("runs", views.runs, name="runs"),
    path("runs/<uuid:run_id>", views.run_detail, name="run"),
    path("runs/<uuid:run_id>/output", views.run_output, name="run-output"),
    path("runs/<uuid:run_id>/cancel", views.run_cancel, name="run-cancel"),
    path("teams", teams.team_list, name="teams"),
    path("teams/<slug:slug>", teams.team_detail, name="team"),
    path("teams/<slug:slug>/members", teams.member_list, name="members"),
    path("teams/<slug:slug>/members/<str:username>", teams.member_detail, name="member"),
    path("teams/<slug:slug>/profiles", teams.profile_list, name="profiles"),
    path("teams/<slug:slug>/import", teams.profile_import, name="profile-import"),
    path("teams/<slug:slug>/profiles/<str:name>", teams.profile_detail, name="profile"),
    path("teams/<slug:slug>/grants", teams.grant_list, name="grants"),
    path("teams/<slug:slug>/grants/<int:grant_id>", teams.grant_detail, name="grant"),
    path("approvals", approvals.approval_list, name="approvals"),
    path("approvals/<int:approval_id>", approvals.approval_detail, name="approval"),
    path("elevations", elevations.elevation_list, name="elevations"),
    path("elevations/<int:elevation_id>", elevations.elevation_detail, name="elevation"),
    path("runs/<uuid:run_id>/rerun", views.run_rerun, name="run-rerun"),
    path("audit/export.csv", views.audit_export, {"fmt": "csv"}, name="audit-export-csv"),
    path("audit/export.jsonl", views.audit_export, {"fmt": "jsonl"}, name="audit-export-jsonl"),
    # Last: everything else under /api/v1/ is a JSON 404.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
