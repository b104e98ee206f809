"""Teams share profiles without sharing a secret. A team owns config sections
(credentials.ConfigSection.team); its members reach them as `<team>/<profile>` by their
role and by grants. Who may do what is decided in one place, console/teams/rules.py; the
rows here only say who belongs where.

The slug is the `<team>` of a team profile's address, so it can never contain "/", and it
never changes once made (a rename changes the name only): addresses people have typed,
cached sessions and the secrets' sealing context all stay valid."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Team(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Role(models.TextChoices):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    AUDITOR = "auditor"


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["team", "user"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_team_user")]

    def __str__(self) -> str:
        return f"{self.user_id} is {self.role} of {self.team_id}"


class GrantQuerySet(models.QuerySet["Grant"]):
    def live(self) -> GrantQuerySet:
        """Grants in force now: without an end, or ending in the future."""
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))


class Grant(models.Model):
    """Lets one member, or every member of a role, use one team profile, perhaps until a time."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="grants")
    profile = models.ForeignKey("credentials.ConfigSection", on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="team_grants"
    )
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Read-only: the console treats the profile as the "read-only" preset for this use, and
    # the broker asks AWS to as well (a session policy on the AssumeRole; docs/guardrails.md).
    read_only = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["team", "profile", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(role="")) | (Q(user__isnull=True) & ~Q(role="")),
                name="grant_user_or_role",
            ),
        ]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else f"role {self.role}"
        how = "read-only" if self.read_only else "fully"
        return f"{who} may use {self.profile_id} {how} until {self.expires_at or 'revoked'}"

    @property
    def is_live(self) -> bool:
        return self.expires_at is None or self.expires_at > timezone.now()


class ElevationStatus(models.TextChoices):
    PENDING = "pending"  # asked, waiting for an owner or admin
    APPROVED = "approved"  # active from `starts_at` until `ends_at`
    DENIED = "denied"
    EXPIRED = "expired"  # nobody decided in time, or its time ran out
    ENDED = "ended"  # ended early by the requester or an admin


class Elevation(models.Model):
    """A member's request for Write on one team profile for a stated time
    (console/teams/elevations.py). Approved, it is active from `starts_at` to `ends_at`:
    the broker's one profiles query brings its id along (console/teams/access.py), so the
    worker's guardrail lets the profile's `approve` Write and Tagging commands through and
    lifts a read-only grant for them, without a query of its own. `expires_at` is how long
    a pending request waits; the times, not only the status, decide, so an elevation whose
    time is up gives nothing even before the reaper marks it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="elevations")
    profile = models.ForeignKey("credentials.ConfigSection", on_delete=models.CASCADE, related_name="+")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    minutes = models.PositiveIntegerField()
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=ElevationStatus.choices, default=ElevationStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The broker's subquery: this user's approved elevation of this profile, unexpired.
            models.Index(fields=["requester", "profile", "status", "ends_at"], name="elevation_active"),
            models.Index(fields=["status", "expires_at"], name="elevation_pending"),
        ]

    def __str__(self) -> str:
        return f"elevation {self.pk} {self.status} of {self.requester_id} on {self.profile_id}"

    @property
    def is_active(self) -> bool:
        return (
            self.status == ElevationStatus.APPROVED
            and self.ends_at is not None
            and self.ends_at > timezone.now()
        )

    @property
    def is_pending(self) -> bool:
        return self.status == ElevationStatus.PENDING and self.expires_at > timezone.now()
