#!/usr/bin/env bash
# tests/test_docker_compose.py reads docker-compose.yml with Compose itself when it can:
# Debian's docker-compose package (Compose v1) parses the file without a Docker engine.
# Installed here when missing and we may (root); otherwise the test reads the file in
# Python, so a machine without it still runs the suite.
set -euo pipefail
if command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "docker-compose is missing: tests/test_docker_compose.py reads the file in Python instead" \
    "(sudo apt-get install docker-compose to check it with Compose)" >&2
  exit 0
fi
echo "Installing Debian's docker-compose to check docker-compose.yml…"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }; then
  echo "could not install docker-compose: tests/test_docker_compose.py reads the file in Python" >&2
fi
