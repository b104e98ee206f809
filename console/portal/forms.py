"""The portal's forms. They turn what people type into the plain values the services take,
and show every problem on the field it is about; the services decide who may do it (and
check the values again, so the API gets the same answers).

Profile forms follow `aws configure`: any key `aws configure set` would write is accepted
(the known ones have fields, the rest go in "other settings" as `key = value` or dotted
`s3.max_concurrent_requests = 20` lines), checked by credentials/keys.py, the one check
every way in shares (refused keys, access keys where they are not allowed, value shapes).
Secret fields are write-only: never filled in when a page is drawn, and left empty they
keep what is stored."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone

from console.engine.access_levels import AccessLevel
from console.engine.policies import LEVELS, Decision, decide, preset_of
from console.teams.models import Role
from credentials import keys
from credentials.errors import CredentialError
from credentials.forms import ImportFilesForm
from credentials.models import SECRET_KEYS

OUTPUTS = ("json", "text", "table", "yaml", "yaml-stream")
CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")
SECRET_LABELS = {
    "aws_access_key_id": "Access key ID",
    "aws_secret_access_key": "Secret access key",
    "aws_session_token": "Session token",
    "web_identity_token": "Web identity token",
}
ROLE_CHOICES: list[tuple[str, str]] = list(Role.choices)


SECRET_LINE = re.compile(
    r"^(\s*(?:" + "|".join(sorted(SECRET_KEYS)) + r")(?:\.[A-Za-z0-9_]+)?\s*=).*$",
    re.MULTILINE | re.IGNORECASE,
)


def without_secret_values(text: str) -> str:
    """The text with the value of every secret key's line cut off, for drawing it again."""
    return SECRET_LINE.sub(r"\1 ", text)


class ConfigTextarea(forms.Textarea):
    """A textarea of config lines that, drawn again after an error, never shows a secret
    value someone typed into it (the page would carry it back to the browser)."""

    def format_value(self, value: Any) -> str | None:
        text = super().format_value(value)
        return without_secret_values(text) if text else text


class PortalForm(forms.Form):
    """Marks invalid fields for assistive technology and the stylesheet. Forms that share
    a page name their element ids apart (AUTO_ID)."""

    AUTO_ID = "id_%s"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", self.AUTO_ID)
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"

    def first_error(self) -> str:
        return next(str(errors[0]) for errors in self.errors.values())


# ---- teams and members ------------------------------------------------------------------


class TeamForm(PortalForm):
    # The services check the slug (their message says what a short name may be).
    slug = forms.CharField(
        max_length=64,
        label="Short name",
        help_text="Lower-case letters, digits and dashes. Members address the team's profiles as "
        "<short name>/<profile>.",
        widget=forms.TextInput(attrs={"placeholder": "platform", "autocomplete": "off"}),
    )
    name = forms.CharField(
        max_length=128, label="Display name", widget=forms.TextInput(attrs={"placeholder": "Platform team"})
    )

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).strip()


class RenameTeamForm(PortalForm):
    AUTO_ID = "rename_%s"
    name = forms.CharField(max_length=128, label="Display name")


class AddMemberForm(PortalForm):
    AUTO_ID = "member_%s"
    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"placeholder": "username", "autocomplete": "off"})
    )
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=str(Role.MEMBER))


class RoleForm(PortalForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class HandOnForm(PortalForm):
    """Make another member an owner, and optionally step down to admin oneself."""

    AUTO_ID = "handon_%s"

    membership = forms.TypedChoiceField(coerce=int, label="New owner", choices=())
    step_down = forms.BooleanField(required=False, initial=True, label="Make me an admin afterwards")

    def __init__(self, *args: Any, candidates: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = candidates


class ConfirmDeleteForm(PortalForm):
    confirm = forms.CharField(
        label="Type the team's short name to confirm",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, expected: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirm(self) -> str:
        value = str(self.cleaned_data["confirm"]).strip()
        if value != self.expected:
            raise forms.ValidationError(f"Type {self.expected} to delete the team.")
        return value


# ---- grants -----------------------------------------------------------------------------

EVERY_MEMBER = "role:member"


class GrantForm(PortalForm):
    """To one member, or to everyone with the member role, optionally until a time.
    (Owners and admins use every profile already; auditors never run commands.)"""

    AUTO_ID = "grant_%s"

    profile = forms.ChoiceField(choices=())
    grantee = forms.ChoiceField(label="To", choices=())
    expires_at = forms.DateTimeField(
        required=False,
        label="Until (UTC, optional)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    read_only = forms.BooleanField(
        required=False,
        label="Read-only",
        help_text="Writes refused by the console, and by AWS where the profile assumes a role.",
    )

    def __init__(
        self, *args: Any, profiles: list[tuple[str, str]], members: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = profiles
        self.fields["grantee"].choices = [(EVERY_MEMBER, "every member"), *members]

    def clean_expires_at(self) -> Any:
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError("That time has passed: a grant must end in the future.")
        return value

    def grantee_kwargs(self) -> dict[str, str]:
        """The service's keyword: {"role": "member"} or {"user": <username>}."""
        value = self.cleaned_data["grantee"]
        if value == EVERY_MEMBER:
            return {"role": str(Role.MEMBER)}
        return {"user": value.removeprefix("user:")}


# ---- guardrail policies -----------------------------------------------------------------

CUSTOM = "custom"
NO_POLICY = "none"
PRESET_CHOICES = [
    (NO_POLICY, "None set (everything allowed)"),
    ("read-only", "read-only: List and Read allowed, the rest denied"),
    ("careful", "careful: List and Read allowed, Tagging, Write and Permissions management confirmed"),
    (
        "production",
        "production: List and Read allowed, Tagging confirmed, Write and Permissions management approved",
    ),
    ("open", "open: everything allowed"),
    (CUSTOM, "Custom: the choices below"),
]
DECISION_CHOICES = [(str(d), str(d)) for d in Decision]


class PolicyForm(PortalForm):
    """A team profile's guardrail policy: a preset, or a decision per access level, and
    its production tag. `policy()` is what the service takes (console/teams/policies.py)."""

    AUTO_ID = "policy_%s"

    preset = forms.ChoiceField(choices=PRESET_CHOICES, widget=forms.RadioSelect)
    production = forms.BooleanField(
        required=False, label="Production", help_text="Tag the profile as production."
    )

    def __init__(self, *args: Any, section: Any = None, **kwargs: Any) -> None:
        current = dict(section.policy) if section is not None else {}
        preset = (preset_of(current) or CUSTOM) if current else NO_POLICY
        initial = {"preset": preset, "production": bool(getattr(section, "production", False))}
        initial |= {_level_field(level): decide(current, level) for level in LEVELS}
        super().__init__(*args, initial=initial, **kwargs)
        for level in LEVELS:
            self.fields[_level_field(level)] = forms.ChoiceField(
                choices=DECISION_CHOICES, label=str(level), required=False
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("preset") == CUSTOM:
            for level in LEVELS:
                if not cleaned.get(_level_field(level)):
                    self.add_error(_level_field(level), f"Choose what a {level} command does.")
        return cleaned

    def level_fields(self) -> list[forms.BoundField]:
        return [self[_level_field(level)] for level in LEVELS]

    def policy(self) -> str | dict[str, str]:
        preset = self.cleaned_data["preset"]
        if preset == NO_POLICY:
            return {}
        if preset != CUSTOM:
            return str(preset)
        return {str(level): self.cleaned_data.get(_level_field(level)) or "" for level in LEVELS}


def _level_field(level: AccessLevel) -> str:
    return "level_" + str(level).lower().replace(" ", "_")


# ---- profiles ---------------------------------------------------------------------------


def _text(label: str, placeholder: str = "", help_text: str = "") -> forms.CharField:
    attrs = {"placeholder": placeholder, "autocomplete": "off", "spellcheck": "false"}
    return forms.CharField(
        required=False, label=label, help_text=help_text, widget=forms.TextInput(attrs=attrs)
    )


def _secret(key: str) -> forms.CharField:
    # render_value=False: a secret never travels back to the browser, not even masked.
    attrs = {"autocomplete": "new-password", "spellcheck": "false"}
    return forms.CharField(
        required=False, label=SECRET_LABELS[key], widget=forms.PasswordInput(render_value=False, attrs=attrs)
    )


def parse_other_settings(text: str) -> tuple[dict[str, Any], list[str]]:
    """`key = value` lines (dotted keys for nested settings) -> values, and problems."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, sep, value = (part.strip() for part in line.partition("="))
        if not sep or not key:
            problems.append(f"line {number}: write key = value (for example endpoint_url = https://…)")
            continue
        head, _, sub = key.partition(".")
        if sub:
            nested = values.setdefault(head, {})
            if not isinstance(nested, dict):
                problems.append(f"line {number}: {head} is already set as a value")
                continue
            nested[sub] = value
        else:
            values[key] = value
    return values, problems


def render_other_settings(values: dict[str, Any]) -> str:
    lines: list[str] = []
    for key, value in values.items():
        if isinstance(value, dict):
            lines.extend(f"{key}.{sub} = {sub_value}" for sub, sub_value in value.items())
        else:
            lines.append(f"{key} = {value}")
    return "\n".join(lines)


class SectionForm(PortalForm):
    """What profile and sso-session forms share: the name, the write-only secret fields
    (with a "forget it" box each when editing), and "other settings". Every key and value
    is checked by credentials/keys.py, the one check `aws configure set`, imports and the
    team services use; its message is shown on the field it is about."""

    KIND = "profile"
    FIELDS: tuple[str, ...] = ()  # keys with a field of their own, in order
    SECRETS: tuple[str, ...] = ()
    FIELDSETS: tuple[tuple[str, tuple[str, ...], str], ...] = ()

    name = forms.CharField(max_length=128, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    other = forms.CharField(
        required=False,
        label="Other settings",
        help_text="One key = value a line, as aws configure set takes them; dotted keys for nested "
        "settings (s3.max_concurrent_requests = 20).",
        widget=ConfigTextarea(
            attrs={"rows": 4, "spellcheck": "false", "placeholder": "endpoint_url = https://…"}
        ),
    )

    def __init__(
        self,
        *args: Any,
        team: bool,
        section: Any = None,
        stored_secrets: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        """`team`: the section is a team's (its stricter rules apply). `section` is the
        stored section when editing; `stored_secrets` its secrets, already masked
        (`****************ABCD`), shown beside the empty fields."""
        self.team = team
        self.section = section
        self.masked = stored_secrets or {}
        if section is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(section)
        super().__init__(*args, **kwargs)
        for key in self.SECRETS:
            self.fields[key] = _secret(key)
            if key in self.masked:
                self.fields[key].help_text = f"Stored: {self.masked[key]}. Leave empty to keep it."
                self.fields[f"forget_{key}"] = forms.BooleanField(
                    required=False, label="Forget the stored value"
                )
        if section is not None:
            # A section keeps its name; a new name is a new section.
            self.fields["name"].disabled = True

    @classmethod
    def initial_from(cls, section: Any) -> dict[str, Any]:
        stored = dict(section.settings)
        initial: dict[str, Any] = {"name": section.name}
        for key in cls.FIELDS:
            value = stored.pop(key, None)
            if isinstance(value, str):
                initial[key] = value
            elif value is not None:
                stored[key] = value  # a nested value where a field expects text: keep it visible
        initial["other"] = render_other_settings(stored)
        return initial

    def fieldsets(self) -> list[tuple[str, list[Any], str]]:
        return [(title, [self[name] for name in names], note) for title, names, note in self.FIELDSETS]

    def secrets_dropped(self) -> bool:
        """Whether secrets were typed into a form that is drawn again: they are not."""
        return self.is_bound and bool(self.errors) and any(self.data.get(key) for key in self.SECRETS)

    def secret_fields(self) -> list[tuple[Any, Any]]:
        return [(self[key], self[f"forget_{key}"] if key in self.masked else None) for key in self.SECRETS]

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"])
        try:
            keys.check_name(name, team=self.team)
        except CredentialError as exc:
            raise forms.ValidationError(exc.message) from None
        return name

    def clean_other(self) -> dict[str, Any]:
        values, problems = parse_other_settings(self.cleaned_data.get("other") or "")
        for key in values:
            if key in SECRET_KEYS:
                problems.append(f"{key} is a secret: enter it in its own field, where it stays write-only.")
            elif key in self.FIELDS:
                problems.append(f"{key} has a field of its own above.")
        problems += keys.problems(values, team=self.team)
        if problems:
            raise forms.ValidationError(problems)
        return values

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for key in (*self.FIELDS, *self.SECRETS):
            value = cleaned.get(key)
            if value not in (None, "") and key not in self.errors:
                for problem in keys.problems({key: value}, team=self.team):
                    self.add_error(key, problem)
        return cleaned

    def values(self) -> dict[str, Any]:
        """The section's values for the service. A secret left empty is sent as "" (keep
        the stored one); a forgotten one is left out (removed)."""
        data = self.cleaned_data
        values: dict[str, Any] = {key: data[key] for key in self.FIELDS if data.get(key) not in (None, "")}
        values.update(data.get("other") or {})
        for key in self.SECRETS:
            if data.get(f"forget_{key}") and not data.get(key):
                continue
            if data.get(key) or key in self.masked:
                values[key] = data.get(key) or ""
        return values

    def keeps(self, key: str) -> bool:
        """Whether the section will have `key` once saved (typed now, or stored and kept)."""
        data = self.cleaned_data
        return bool(data.get(key) or (key in self.masked and not data.get(f"forget_{key}")))


class ProfileForm(SectionForm):
    KIND = "profile"
    FIELDS = (
        "region",
        "output",
        "role_arn",
        "source_profile",
        "credential_source",
        "external_id",
        "mfa_serial",
        "duration_seconds",
        "sso_session",
        "sso_account_id",
        "sso_role_name",
    )
    SECRETS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token", "web_identity_token")
    FIELDSETS = (
        ("General", ("region", "output"), ""),
        (
            "Assume a role",
            (
                "role_arn",
                "source_profile",
                "credential_source",
                "external_id",
                "mfa_serial",
                "duration_seconds",
            ),
            "AWS sees the person who runs the command as RoleSessionName and SourceIdentity.",
        ),
        (
            "IAM Identity Center",
            ("sso_session", "sso_account_id", "sso_role_name"),
            "Each person signs in as themselves with aws sso login.",
        ),
    )

    region = _text("Region", "eu-west-1")
    output = forms.ChoiceField(
        required=False, choices=[("", "(json, the default)")] + [(o, o) for o in OUTPUTS]
    )
    role_arn = _text("Role ARN", "arn:aws:iam::123456789012:role/ReadOnly")
    source_profile = _text("Source profile", "a profile with credentials")
    credential_source = forms.ChoiceField(
        required=False,
        label="Credential source",
        choices=[("", "(none)")] + [(c, c) for c in CREDENTIAL_SOURCES],
        help_text="The server's own credentials, where an administrator enabled them.",
    )
    external_id = _text("External ID")
    mfa_serial = _text("MFA device (mfa_serial)", "arn:aws:iam::123456789012:mfa/alice")
    duration_seconds = _text("Session length (seconds)", "3600")
    sso_session = _text("SSO session", "an [sso-session] name")
    sso_account_id = _text("Account ID", "123456789012")
    sso_role_name = _text("Permission set (role name)", "ReadOnlyAccess")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("source_profile") and cleaned.get("credential_source"):
            self.add_error("credential_source", "Set source_profile or credential_source, not both.")
        role_fields = ("source_profile", "credential_source", "external_id", "mfa_serial", "duration_seconds")
        if not cleaned.get("role_arn") and any(cleaned.get(key) for key in role_fields):
            self.add_error("role_arn", "These settings assume a role: say which (role_arn).")
        if (
            cleaned.get("role_arn")
            and not (cleaned.get("source_profile") or cleaned.get("credential_source"))
            and not self.keeps("web_identity_token")
        ):
            self.add_error(
                "source_profile",
                "A role needs a source of credentials: a source profile, a credential source or a web "
                "identity token.",
            )
        halves = ("aws_access_key_id", "aws_secret_access_key")
        if self.keeps(halves[0]) != self.keeps(halves[1]):
            # Both halves of an access key or neither: the CLI would find only half.
            self.add_error(
                halves[1] if self.keeps(halves[0]) else halves[0],
                "An access key needs both its ID and its secret.",
            )
        return cleaned


class SsoSessionForm(SectionForm):
    KIND = "sso-session"
    FIELDS = ("sso_start_url", "sso_region", "sso_registration_scopes")
    SECRETS = ()
    FIELDSETS = (("IAM Identity Center", FIELDS, "Profiles name this session with sso_session."),)

    sso_start_url = forms.CharField(
        label="Start URL", widget=forms.TextInput(attrs={"placeholder": "https://example.awsapps.com/start"})
    )
    sso_region = forms.CharField(
        label="SSO region", widget=forms.TextInput(attrs={"placeholder": "us-east-1"})
    )
    sso_registration_scopes = _text("Registration scopes", "sso:account:access")


class ServicesForm(SectionForm):
    """A [services …] section: per-service settings, all nested (dynamodb.endpoint_url = …)."""

    KIND = "services"


SECTION_FORMS: dict[str, type[SectionForm]] = {
    "profile": ProfileForm,
    "sso-session": SsoSessionForm,
    "services": ServicesForm,
}


class PasteSectionForm(PortalForm):
    text = forms.CharField(
        label="A [profile …] or [sso-session …] section",
        help_text="If something in it is refused, it comes back without its secret values: "
        "paste those again.",
        widget=ConfigTextarea(
            attrs={
                "rows": 9,
                "spellcheck": "false",
                "placeholder": "[profile readonly]\nrole_arn = arn:aws:iam::123456789012:role/ReadOnly\n"
                "source_profile = deploy\nregion = eu-west-1",
            }
        ),
        max_length=64 * 1024,
    )


class ImportForm(PortalForm, ImportFilesForm):
    """The profile files, pasted or uploaded: credentials/forms.py reads an upload and a
    pasted text of the same name through one field with one size limit."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not (cleaned.get("config") or "").strip() and not (cleaned.get("credentials") or "").strip():
            raise forms.ValidationError("Paste or upload a config or a credentials file.")
        return cleaned


# ---- just-in-time elevation ---------------------------------------------------------------


class ElevationForm(PortalForm):
    """A request for Write on one team profile for a time; the service checks the
    duration against CONSOLE_ELEVATION_MAX_HOURS and says what to ask for instead."""

    AUTO_ID = "elevation_%s"

    # Any id is taken: the service decides whether the person may use it (404 if not),
    # rather than the form quietly failing on a profile outside its choices.
    profile = forms.UUIDField(widget=forms.Select())
    duration = forms.CharField(
        max_length=16, help_text='Minutes, or e.g. "45m", "2h", "1h30m".', initial="1h"
    )
    reason = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}), help_text="The approver reads it."
    )

    def __init__(self, *args: Any, profiles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].widget.choices = profiles
        self.profile_choices = profiles
