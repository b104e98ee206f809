"""Mounted at accounts/ by console/urls.py (the sign-in and sign-out pages keep the names
`login` and `logout`, which settings and templates use)."""

from __future__ import annotations

from django.urls import path

from console.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/code/", views.sign_in_code, name="code"),
    path("security/", views.security, name="security"),
    path("security/enrol/", views.enrol, name="enrol"),
    path("security/recovery-codes/", views.replace_recovery_codes, name="recovery-codes"),
    path("security/remove/", views.remove, name="remove"),
]
