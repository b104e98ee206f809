"""The profile import form. A profile file arrives either uploaded or pasted into a
field of the same name; both go through one field with one size limit, so a paste is
capped exactly as an upload is (the limit used to cover uploads only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

MAX_FILE_BYTES = 256 * 1024


class FileOrTextInput(forms.Textarea):
    """The upload named `name` if there is one, else the pasted text of that name."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        upload = files.get(name)
        return upload if upload is not None else data.get(name)


class ProfileFileField(forms.Field):
    widget = FileOrTextInput

    def to_python(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, UploadedFile):
            return self._read(value)
        text = str(value)
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The pasted {self.label} text is larger than {MAX_FILE_BYTES // 1024} KiB;"
                " an AWS profile file is a few KiB. Paste only the profiles you need."
            )
        return text

    def _read(self, upload: UploadedFile) -> str:
        # Read one byte past the limit: a client may under-state the size.
        data = upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise forms.ValidationError(f"The {self.label} file is larger than {MAX_FILE_BYTES // 1024} KiB")
        return data.decode("utf-8", errors="replace")


class ImportFilesForm(forms.Form):
    config = ProfileFileField(required=False, label="config")
    credentials = ProfileFileField(required=False, label="credentials")

    def first_error(self) -> str:
        """One message a user can act on (the first field's first error)."""
        return next(str(errors[0]) for errors in self.errors.values())
