from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from console.terminal import views as terminal_views

urlpatterns = [
    path("", terminal_views.terminal, name="terminal"),
    path("healthz", terminal_views.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("console.api.urls")),
    path("runs/", include("console.audit.urls")),
    path("profiles/", include("credentials.urls")),
    path("admin/", admin.site.urls),
]
