"""The sealed session cache. Temporary credentials are stored in the DB (not in one
process's memory) so every worker shares a warm cache, and sign-out or a profile change
drops them everywhere at once. Each row is sealed with the user and its key as context,
so a row copied to another user, or under another key, does not open.

The key is a hash of the profile chain's names and settings, the region and the endpoint:
changing any profile on the chain changes the key, so stale sessions are never used even
before they are deleted."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from credentials import crypto
from credentials.models import CachedSession
from credentials.types import AwsCredentials


def cache_key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def load(user_id: int, key: str) -> AwsCredentials | None:
    row = CachedSession.objects.filter(user_id=user_id, key=key).first()
    if row is None:
        return None
    try:
        creds = AwsCredentials.from_json(row.open_credentials())
    except (crypto.CryptoError, KeyError, ValueError):
        row.delete()  # a row that does not open is worth nothing; fetch fresh credentials
        return None
    if creds.expires_at is not None and creds.expires_at <= datetime.now(UTC):
        return None
    return creds


def store(user_id: int, key: str, label: str, creds: AwsCredentials) -> None:
    row = CachedSession(user_id=user_id, key=key, label=label[:300], expires_at=creds.expires_at)
    row.seal_credentials(creds.to_json())
    try:
        with transaction.atomic():
            CachedSession.objects.filter(user_id=user_id, key=key).delete()
            row.save()
    except IntegrityError:
        pass  # another worker stored the same session a moment ago; theirs is as good


def forget(user_id: int) -> int:
    deleted, _ = CachedSession.objects.filter(user_id=user_id).delete()
    return deleted


# A label is the chain of profile names a session was built through, this hop first:
# "platform/admin <- platform/keys". Team names carry their team ("<team>/<name>") and
# personal names never contain "/", so these match exactly the sessions built through a
# team's section.
SEPARATOR = " <- "


def label_for(names: list[str]) -> str:
    return SEPARATOR.join(names)


def naming(address: str) -> Q:
    """Sessions whose chain goes through the section `address`."""
    return (
        Q(label=address)
        | Q(label__startswith=f"{address}{SEPARATOR}")
        | Q(label__endswith=f"{SEPARATOR}{address}")
        | Q(label__contains=f"{SEPARATOR}{address}{SEPARATOR}")
    )


def naming_team(slug: str) -> Q:
    """Sessions whose chain goes through any section of the team `slug`."""
    return Q(label__startswith=f"{slug}/") | Q(label__contains=f"{SEPARATOR}{slug}/")


def labelled(labels: list[str]) -> Q:
    return Q(label__in=labels) if labels else Q(pk__in=[])


def labelled_prefix(prefixes: list[str]) -> Q:
    query = Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(label__startswith=prefix)
    return query
