"""The audit log's filters (django-filter): one FilterSet over the runs a person may see,
shared by the log page, its CSV and JSON-lines export and the API's export.

A filter only ever narrows: the FilterSet is built on `visible_runs(user)`
(console/audit/access.py), so naming a user, team or run one may not see finds nothing
rather than anything more. Values are matched as stored (a username, a team's slug, a
profile as `<team>/<profile>`), exactly, except the free text. A form that does not
validate (a malformed time, a status that is not one) filters nothing: the caller shows
its errors and no rows, since ignoring the bad field would show more than was asked."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from console.audit.access import uuid_prefix, visible_runs
from console.runs.models import AuditEvent, CommandRun, RunStatus

PAGE_SIZE = 50
# A run id as `history` shows it, or a longer prefix (with or without hyphens).
_HEX_PREFIX = frozenset("0123456789abcdef-")
_TIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"})


class RunFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="user__username", label="user")
    team = django_filters.CharFilter(field_name="team__slug", label="team")
    profile = django_filters.CharFilter(label="profile")
    account = django_filters.CharFilter(field_name="aws_account", label="account")
    service = django_filters.CharFilter(label="service")
    operation = django_filters.CharFilter(label="operation")
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label="status", empty_label="any")
    # `from`/`to` are Python keywords, hence `since`/`until`; times are the console's (UTC).
    since = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label="from", widget=_TIME_INPUT
    )
    until = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", label="to", widget=_TIME_INPUT
    )
    q = django_filters.CharFilter(method="search", label="text")

    class Meta:
        model = CommandRun
        fields: list[str] = []

    def search(self, queryset: QuerySet[CommandRun], name: str, value: str) -> QuerySet[CommandRun]:
        """Free text: in the command line (as stored, redacted), the profile or the
        principal's ARN; or the start of the run's id."""
        text = value.strip()
        match = Q(command__icontains=text) | Q(profile__icontains=text) | Q(principal__arn__icontains=text)
        ref = text.lower()
        if len(ref.replace("-", "")) >= 4 and set(ref) <= _HEX_PREFIX:
            match |= Q(id__startswith=uuid_prefix(ref))
        return queryset.filter(match)


def run_filter(user: Any, query: Any) -> RunFilter:
    """The log's filter for `user` over the query string `query` (a QueryDict)."""
    return RunFilter(query, queryset=newest_first(visible_runs(user)))


def newest_first(runs: QuerySet[CommandRun]) -> QuerySet[CommandRun]:
    # The id breaks ties, so a page boundary never shows a run twice or skips one.
    return runs.order_by("-created_at", "-id")


def filtered_runs(found: RunFilter) -> QuerySet[CommandRun]:
    """The runs the filter selects; none when the form is invalid (module docstring)."""
    if not found.is_valid():
        return CommandRun.objects.none()
    return found.qs


def form_errors(found: RunFilter) -> list[str]:
    """The form's errors as lines a person can act on: `from: Enter a valid date/time.`"""
    lines: list[str] = []
    for name, errors in found.form.errors.items():
        label = found.form.fields[name].label if name in found.form.fields else name
        lines.extend(f"{label}: {error}" for error in errors)
    return lines


class EventFilter(django_filters.FilterSet):
    """The Events tab's filter, over `visible_events(user)` (it too only narrows)."""

    action = django_filters.CharFilter(lookup_expr="startswith", label="event")
    actor = django_filters.CharFilter(field_name="actor_name", label="by")

    class Meta:
        model = AuditEvent
        fields: list[str] = []


# What the log's fields suggest (a <datalist>, no script): the values among the runs one
# may see, so the suggestions too stay within the viewer's rights.
SUGGESTED = {
    "user": "user__username",
    "team": "team__slug",
    "profile": "profile",
    "account": "aws_account",
    "service": "service",
    "operation": "operation",
}
SUGGESTION_LIMIT = 100


def suggestions(user: Any) -> dict[str, list[str]]:
    runs = visible_runs(user)
    return {name: _distinct(runs, column) for name, column in SUGGESTED.items()}


def _distinct(runs: QuerySet[CommandRun], column: str) -> list[str]:
    values = runs.exclude(**{f"{column}__isnull": True}).exclude(**{column: ""})
    return list(values.order_by(column).values_list(column, flat=True).distinct()[:SUGGESTION_LIMIT])
