from __future__ import annotations

from django import forms

CODE_ATTRS = {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}


class CodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code (the security page has two
    of these, so neither takes the focus there)."""

    code = forms.CharField(label="Code", max_length=32, strip=True, widget=forms.TextInput(attrs=CODE_ATTRS))


class SignInCodeForm(CodeForm):
    """The second step of a sign-in: the one field on its page."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={**CODE_ATTRS, "autofocus": True}),
    )


class FirstCodeForm(forms.Form):
    """The first code of a new authenticator: six digits, nothing else."""

    code = forms.RegexField(
        label="Code from the app",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Enter the 6-digit code the app shows now."},
        widget=forms.TextInput(
            attrs={**CODE_ATTRS, "autofocus": True, "inputmode": "numeric", "maxlength": 6}
        ),
    )
