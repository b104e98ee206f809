"""The console's URLs plus the profile file views, as the lead will wire them
(console/urls.py is someone else's file)."""

from __future__ import annotations

from django.urls import include, path

from console.urls import urlpatterns as console_urlpatterns

urlpatterns = [*console_urlpatterns, path("profiles/", include("credentials.urls"))]
