"""A TCP server that accepts connections and never answers: a real peer for "the AWS
call is taking forever" (cancel, lost worker). No mock can hang a socket the same way."""

from __future__ import annotations

import os
import socket
import threading


class Blackhole:
    def __init__(self) -> None:
        self.port = int(os.environ["TEST_BLACKHOLE_PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", self.port))
        self._sock.listen(64)
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._held.append(conn)

    def close(self) -> None:
        self._sock.close()
        for conn in self._held:
            conn.close()
