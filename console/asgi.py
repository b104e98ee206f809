"""ASGI entry point. Websockets pass the Origin check before anything else (scheme, host
and port against CONSOLE_ORIGINS; console/terminal/auth.py), so no other site can drive
a signed-in user's terminal; then session or bearer authentication."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from console.terminal.auth import TerminalStack  # noqa: E402
from console.terminal.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": TerminalStack(URLRouter(websocket_urlpatterns)),
    }
)
