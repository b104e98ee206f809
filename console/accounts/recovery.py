"""Recovery codes: django-otp's `otp_static` tokens, each good for one sign-in.

`StaticToken` would keep the code itself; a code is a password, so the column holds a
keyed digest of it instead (HMAC-SHA256 with the secret key, cut to the column's 16
characters). A database copy alone gives no code, and a code is matched by digesting what
the user typed and letting `StaticDevice.verify_token` find and delete that digest, with
its own throttling. Digests under each `SECRET_KEY_FALLBACKS` key match too, so rotating
the secret key does not void codes already printed.

A code is 12 characters of lowercase base32 (60 random bits), shown as xxxx-xxxx-xxxx;
dashes, spaces and case are ignored when one is typed."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice

CODE_COUNT = 10
CODE_LENGTH = 12
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
DIGEST_SALT = "console.accounts.recovery-code"
DEVICE_NAME = "Recovery codes"


def normalize(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch not in "- \t")


def looks_like_code(text: str) -> bool:
    code = normalize(text)
    return len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code)


def _digest(code: str, secret: str) -> str:
    return salted_hmac(DIGEST_SALT, normalize(code), secret=secret, algorithm="sha256").hexdigest()[:16]


def _digests(code: str) -> list[str]:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_digest(code, key) for key in keys]


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def device_of(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def remaining(user: Any) -> int:
    device = device_of(user)
    return device.token_set.count() if device else 0


@transaction.atomic
def replace_codes(user: Any) -> list[str]:
    """New codes for the user, the old ones void. The plain codes exist only in the
    returned list, to be shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": DEVICE_NAME})
    device.token_set.all().delete()
    codes = [_new_code() for _ in range(CODE_COUNT)]
    device.token_set.bulk_create(
        [device.token_set.model(device=device, token=_digest(c, settings.SECRET_KEY)) for c in codes]
    )
    return codes


def use_code(user: Any, code: str) -> StaticDevice | None:
    """The user's recovery device if `code` is one of their unused codes (now used up)."""
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return None
        digests = _digests(code)
        stored = device.token_set.filter(token__in=digests).values_list("token", flat=True).first()
        # A miss still goes through verify_token, so it counts towards the device's throttle.
        return device if device.verify_token(stored or digests[0]) else None


def remove_codes(user: Any) -> None:
    StaticDevice.objects.filter(user=user).delete()
