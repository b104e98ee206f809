"""Mounted at the root by console/urls.py: the teams pages under /teams/, the personal
profiles under /profiles/ (before credentials.urls, whose file endpoints keep their URLs)."""

from __future__ import annotations

from django.urls import path

from console.portal.views import approvals, elevations, grants, members, profiles, team_profiles, teams

app_name = "portal"

urlpatterns = [
    path("teams/", teams.team_list, name="teams"),
    path("approvals/", approvals.approval_list, name="approvals"),
    path("approvals/<int:approval_id>", approvals.approval_detail, name="approval"),
    path("approvals/<int:approval_id>/decide", approvals.approval_decide, name="approval-decide"),
    path("elevations/", elevations.elevation_list, name="elevations"),
    path("elevations/new", elevations.elevation_new, name="elevation-new"),
    path("elevations/<int:elevation_id>", elevations.elevation_detail, name="elevation"),
    path("elevations/<int:elevation_id>/decide", elevations.elevation_decide, name="elevation-decide"),
    path("elevations/<int:elevation_id>/end", elevations.elevation_end, name="elevation-end"),
    path("teams/<slug:slug>/", teams.team_detail, name="team"),
    path("teams/<slug:slug>/rename", teams.team_rename, name="team-rename"),
    path("teams/<slug:slug>/hand-on", teams.team_hand_on, name="team-hand-on"),
    path("teams/<slug:slug>/delete", teams.team_delete, name="team-delete"),
    path("teams/<slug:slug>/members", members.member_add, name="member-add"),
    path("teams/<slug:slug>/members/<int:membership_id>/role", members.member_role, name="member-role"),
    path("teams/<slug:slug>/members/<int:membership_id>/remove", members.member_remove, name="member-remove"),
    path("teams/<slug:slug>/profiles/new", team_profiles.profile_new, name="team-profile-new"),
    path("teams/<slug:slug>/profiles/paste", team_profiles.profile_paste, name="team-profile-paste"),
    path("teams/<slug:slug>/profiles/<uuid:section_id>/", team_profiles.profile_detail, name="team-profile"),
    path(
        "teams/<slug:slug>/profiles/<uuid:section_id>/edit",
        team_profiles.profile_edit,
        name="team-profile-edit",
    ),
    path(
        "teams/<slug:slug>/profiles/<uuid:section_id>/policy",
        team_profiles.profile_policy,
        name="team-profile-policy",
    ),
    path(
        "teams/<slug:slug>/profiles/<uuid:section_id>/test",
        team_profiles.profile_test,
        name="team-profile-test",
    ),
    path(
        "teams/<slug:slug>/profiles/<uuid:section_id>/delete",
        team_profiles.profile_delete,
        name="team-profile-delete",
    ),
    path("teams/<slug:slug>/grants", grants.grant_add, name="grant-add"),
    path("teams/<slug:slug>/grants/<int:grant_id>/revoke", grants.grant_revoke, name="grant-revoke"),
    path("profiles/", profiles.profile_list, name="profiles"),
    path("profiles/new", profiles.profile_new, name="profile-new"),
    path("profiles/import", profiles.profile_import, name="profile-import"),
    path("profiles/export", profiles.profile_export, name="profile-export"),
    path("profiles/<uuid:section_id>/edit", profiles.profile_edit, name="profile-edit"),
    path("profiles/<uuid:section_id>/delete", profiles.profile_delete, name="profile-delete"),
]
