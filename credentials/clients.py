"""Botocore clients, cached per process. Creating a client costs 60-150 ms (endpoint
rules, model loading); a warm call to a local endpoint costs a few ms, so a worker builds
each (service, region, endpoint, credentials, timeouts) client once and reuses it. Clients
are thread-safe to use; creating them from one session is not, hence the lock."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import botocore.session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from credentials import retries
from credentials.endpoints import check_request_url
from credentials.errors import EndpointNotAllowed
from credentials.types import AwsCredentials

MAX_CLIENTS = 256

# `cli_timestamp_format`: "iso8601" keeps botocore's datetimes (the formatters print them
# in ISO 8601, as CLI v2); "none"/"wire" keep the text the service sent, which only a
# session whose response parser leaves timestamps alone can give (as the CLI does it).
_lock = threading.Lock()
_sessions: dict[bool, botocore.session.Session] = {}
_UNSIGNED = AwsCredentials("unsigned", "")
_clients: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def botocore_session(wire_timestamps: bool = False) -> botocore.session.Session:
    session = _sessions.get(wire_timestamps)
    if session is None:
        session = botocore.session.Session()
        # Never read the server's own ~/.aws files or environment keys for a user's command.
        session.set_config_variable("config_file", "/dev/null")
        session.set_config_variable("credentials_file", "/dev/null")
        if wire_timestamps:
            parsers = session.get_component("response_parser_factory")
            parsers.set_parser_defaults(timestamp_parser=_as_sent)
        _sessions[wire_timestamps] = session
    return session


def _as_sent(value: object) -> object:
    return value


def _key(
    service: str, region: str | None, endpoint_url: str | None, creds: AwsCredentials, config: tuple[Any, ...]
) -> tuple[Any, ...]:
    secret = hashlib.sha256(f"{creds.secret_access_key}\0{creds.session_token}".encode()).hexdigest()
    return (service, region, endpoint_url, creds.access_key_id, secret, config)


def get_client(
    service: str,
    *,
    region: str | None,
    endpoint_url: str | None,
    credentials: AwsCredentials | None,
    read_timeout: int | None = None,
    connect_timeout: int | None = None,
    max_attempts: int | None = None,
    retry_mode: str = "standard",
    timestamp_format: str = "iso8601",
) -> Any:
    """A cached client; `credentials=None` makes an unsigned one (AssumeRoleWithWebIdentity)."""
    wire_timestamps = timestamp_format in ("none", "wire")
    config_key = (read_timeout, connect_timeout, max_attempts, retry_mode, wire_timestamps)
    key = _key(service, region, endpoint_url, credentials or _UNSIGNED, config_key)
    with _lock:
        client = _clients.get(key)
        if client is not None:
            _clients.move_to_end(key)
            return client
        retry_config: dict[str, Any] = {"mode": retry_mode}
        if max_attempts is not None:
            retry_config["total_max_attempts"] = max_attempts
        config = Config(
            retries=retry_config,  # type: ignore[arg-type]
            read_timeout=read_timeout if read_timeout is not None else 60,
            connect_timeout=connect_timeout if connect_timeout is not None else 10,
            user_agent_extra="aws-team-console",
            signature_version=UNSIGNED if credentials is None else None,
        )
        keys = credentials or _UNSIGNED
        client = botocore_session(wire_timestamps).create_client(
            service,
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id=keys.access_key_id if credentials else None,
            aws_secret_access_key=keys.secret_access_key if credentials else None,
            aws_session_token=keys.session_token if credentials else None,
            config=config,
        )
        retries.register(client)
        client.meta.events.register("before-send", _refuse_other_hosts)
        _clients[key] = client
        if len(_clients) > MAX_CLIENTS:
            _clients.popitem(last=False)
        return client


class EndpointRefused(BotoCoreError):
    fmt = "{message}"


def _refuse_other_hosts(request: Any, **_: Any) -> None:
    # The endpoint was checked when the command was resolved; this catches whatever
    # changes the host afterwards (an S3 region redirect, a customization) by name, before
    # anything is sent. No DNS here: this runs for every request.
    try:
        check_request_url(request.url)
    except EndpointNotAllowed as exc:
        raise EndpointRefused(message=exc.message) from None


def clear_clients() -> None:
    with _lock:
        _clients.clear()
