"""Writing profiles. Secret keys are split off and sealed before anything is stored."""

from __future__ import annotations

import json
from typing import Any

from credentials import crypto
from credentials.models import SECRET_KEYS, ConfigSection, SectionKind


def save_profile(owner: Any, name: str, values: dict[str, str], kind: str = SectionKind.PROFILE) -> ConfigSection:
    section = ConfigSection.objects.filter(owner=owner, kind=kind, name=name).first()
    if section is None:
        section = ConfigSection(owner=owner, kind=kind, name=name)
    plain = {k: v for k, v in values.items() if k not in SECRET_KEYS}
    secret = {k: v for k, v in values.items() if k in SECRET_KEYS}
    section.settings = plain
    section.sealed_secrets = crypto.seal(json.dumps(secret), section.secret_context()) if secret else ""
    section.save()
    return section
