"""The admin's view of authenticator apps: who has one, since when, last used; never the
key. Deleting one is how an administrator helps a user who lost both the phone and the
recovery codes: it goes through the service, so it is audited with the admin's name and
takes the user's recovery codes with it. (Unlocking a locked-out sign-in is django-axes'
own "Access attempts" page, or `manage.py axes_reset_username <name>`.)"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from console.accounts.models import SealedTOTPDevice
from console.accounts.services import remove_second_factor


@admin.register(SealedTOTPDevice)
class SealedTOTPDeviceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a key is made only by its user's enrolment, never typed in here

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: SealedTOTPDevice) -> None:
        remove_second_factor(request.user, obj.user, request)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for device in queryset.select_related("user"):
            remove_second_factor(request.user, device.user, request)
