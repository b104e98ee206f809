"""Token service: make, check and revoke API tokens.

Tokens look like `awsc_` + 40 URL-safe characters (240 random bits). A token is found by
the SHA-256 of the whole string, so checking one compares hashes in an index instead of
comparing secrets in Python: the time a lookup takes says nothing about a stored token.
`last_used_at` is written at most once a minute so a busy script does not turn every
request into a write. Making and revoking a token are audit events (its id, name and
display prefix, never the token), written in the same transaction as the change. Revoking
a token also ends the terminals opened with it: they are asked to check their rights again
once the revocation is committed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from console.api.models import ApiToken
from console.runs import audit
from console.runs.notify import recheck_user_terminals

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser
    from django.db.models import QuerySet

TOKEN_PREFIX = "awsc_"  # noqa: S105 - a public marker that makes leaked tokens findable, not a secret
TOKEN_RANDOM_BYTES = 30  # 40 characters of URL-safe base64
TOKEN_LENGTH = len(TOKEN_PREFIX) + 40
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _well_formed(raw: object) -> bool:
    return isinstance(raw, str) and len(raw) == TOKEN_LENGTH and raw.startswith(TOKEN_PREFIX)


def create_token(user: AbstractBaseUser, name: str = "", *, actor: AbstractBaseUser | None = None) -> str:
    """Make a token for `user` and return it. This is the only time it can be seen.
    `actor` is who asked for it (None: the server's operator, `manage.py`)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_RANDOM_BYTES)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=raw[:8], token_hash=hash_token(raw))
        audit.record(audit.AuditAction.API_TOKEN_CREATED, actor=actor, data=_described(token))
    return raw


def _described(token: ApiToken) -> dict[str, object]:
    return {"token": token.pk, "user": token.user.get_username(), "name": token.name, "prefix": token.prefix}


def user_for_token(raw: str) -> AbstractBaseUser | None:
    """The active user a live token belongs to, or None for anything else."""
    if not _well_formed(raw):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    _touch(token)
    return token.user


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    cutoff = now - LAST_USED_RESOLUTION
    if token.last_used_at is not None and token.last_used_at >= cutoff:
        return
    # Conditional, so concurrent requests with one token write once between them.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=cutoff)
    ).update(last_used_at=now)


def revoke_token(user: AbstractBaseUser, token_id: int) -> bool:
    """Revoke one of `user`'s tokens. False when they have no such live token."""
    return revoke_tokens(ApiToken.objects.filter(pk=token_id, user=user), actor=user) == 1


def revoke_tokens(tokens: QuerySet[ApiToken], *, actor: AbstractBaseUser | None) -> int:
    """Revoke the live tokens among `tokens`, each audited, and close the terminals they
    opened; returns how many."""
    with transaction.atomic():
        live = list(
            tokens.filter(revoked_at__isnull=True).select_related("user").select_for_update(of=("self",))
        )
        ApiToken.objects.filter(pk__in=[t.pk for t in live]).update(revoked_at=timezone.now())
        for token in live:
            audit.record(audit.AuditAction.API_TOKEN_REVOKED, actor=actor, data=_described(token))
        for user_id in {token.user_id for token in live}:
            transaction.on_commit(lambda user_id=user_id: recheck_user_terminals(user_id))
    return len(live)
