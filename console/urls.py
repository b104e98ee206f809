from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from console.accounts import views as account_views
from console.terminal import views as terminal_views

urlpatterns = [
    path("", terminal_views.terminal, name="terminal"),
    path("healthz", terminal_views.health, name="health"),
    path("accounts/login/", account_views.sign_in, name="login"),
    path("accounts/logout/", account_views.sign_out, name="logout"),
    path("accounts/", include("console.accounts.urls")),
    # One sign-in for the whole console: the admin's own would skip the code step's page
    # and the lockout message (its sessions would still be held to the second factor).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/logout/", account_views.sign_out),
    path("api/v1/", include("console.api.urls")),
    path("files/", include("console.terminal.urls")),
    path("runs/", include("console.audit.urls")),
    path("audit/", include("console.audit.urls_trail")),
    path("audit/", include("console.audit.log_urls")),
    # The portal's pages first: /profiles/import is its page and, for scripts, the file endpoint.
    path("", include("console.portal.urls")),
    path("profiles/", include("credentials.urls")),
    path("admin/", admin.site.urls),
]
