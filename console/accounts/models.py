"""The authenticator app (TOTP) of a user, with its key sealed.

django-otp's own `otp_totp.TOTPDevice` keeps the key as plain hex in the database, and
this console keeps no secret in plaintext at rest (../shared/SECURITY.md): a copy of the
database would let anyone compute every user's codes. So the device is django-otp's
`Device` with its throttling and timestamps, and the key is sealed by credentials/crypto.py
(bound to the user, so a key copied to another user's row fails to open); `manage.py
rotate_keys` re-seals it like every other sealed column. Verification is RFC 6238 through
django-otp's own `TOTP`, with the same rules as `TOTPDevice`: one step of tolerance, a
code is accepted once (`last_t`), and the clock drift of the user's phone is learnt.

Recovery codes are django-otp's `otp_static` tokens; console/accounts/recovery.py keeps
only a keyed digest of each."""

from __future__ import annotations

import os
import time
from base64 import b32encode
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from credentials import crypto

KEY_BYTES = 20  # RFC 4226's recommended length for HMAC-SHA1
STEP_SECONDS = 30
DIGITS = 6
TOLERANCE_STEPS = 1
ISSUER = "AWS Console Terminal"


class SealedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    sealed_key = models.TextField(help_text="The TOTP key, sealed (credentials/crypto.py).")
    drift = models.SmallIntegerField(default=0, help_text="Steps the user's clock is known to be off.")
    last_t = models.BigIntegerField(default=-1, help_text="The step of the last accepted code.")

    sealed_columns: ClassVar[tuple[str, ...]] = ("sealed_key",)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    def __repr__(self) -> str:
        return f"<SealedTOTPDevice {self.pk} user={self.user_id} confirmed={self.confirmed}>"

    @classmethod
    def create_unconfirmed(cls, user: Any) -> SealedTOTPDevice:
        device = cls(user=user, name="Authenticator app", confirmed=False)
        device.sealed_key = crypto.seal(os.urandom(KEY_BYTES).hex(), device.secret_context())
        device.save()
        return device

    def secret_context(self, column: str = "sealed_key") -> str:
        return f"totp-device:user:{self.user_id}:key"

    def key(self) -> bytes:
        return bytes.fromhex(crypto.open_sealed(self.sealed_key, self.secret_context()))

    def secret_base32(self) -> str:
        """The key as authenticator apps take it typed in (RFC 4648 base32, no padding)."""
        return b32encode(self.key()).decode().rstrip("=")

    def config_url(self) -> str:
        """The otpauth:// URI of the Key Uri Format that authenticator apps scan."""
        label = quote(f"{ISSUER}:{self.user.get_username()}")
        query = urlencode(
            {
                "secret": self.secret_base32(),
                "issuer": ISSUER,
                "algorithm": "SHA1",
                "digits": DIGITS,
                "period": STEP_SECONDS,
            },
            quote_via=quote,
        )
        return f"otpauth://totp/{label}?{query}"

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token: Any) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = str(token).strip()
        if not (len(code) == DIGITS and code.isdigit()):
            self.throttle_increment(commit=True)
            return False
        totp = TOTP(self.key(), STEP_SECONDS, 0, DIGITS, self.drift)
        totp.time = time.time()
        if not totp.verify(int(code), TOLERANCE_STEPS, self.last_t + 1):
            self.throttle_increment(commit=True)
            return False
        self.last_t, self.drift = totp.t(), totp.drift
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True
