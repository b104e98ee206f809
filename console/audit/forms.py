"""The run page's re-run form: the choices are what the person pressing may use."""

from __future__ import annotations

from typing import Any

from django import forms

from console.audit.rerun import REGION, known_regions, usable_profiles


class RerunForm(forms.Form):
    """Blank fields keep what the original used (console/audit/rerun.py)."""

    profile = forms.ChoiceField(required=False)
    region = forms.ChoiceField(required=False)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = [("", "as the original")]
        self.fields["profile"].choices = keep + [(name, name) for name in usable_profiles(user)]
        self.fields["region"].choices = keep + [(name, name) for name in known_regions()]

    def clean_region(self) -> str:
        region = str(self.cleaned_data.get("region") or "")
        if region and not REGION.match(region):
            raise forms.ValidationError(f"{region!r} is not a region name")
        return region
