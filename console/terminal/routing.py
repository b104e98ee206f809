from __future__ import annotations

from django.urls import path

from console.terminal.consumers import TerminalConsumer

websocket_urlpatterns = [path("ws/terminal/", TerminalConsumer.as_asgi())]
