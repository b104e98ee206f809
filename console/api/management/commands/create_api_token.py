"""`manage.py create_api_token <username> [--name X]` prints a new token and nothing else,
so scripts can capture it: TOKEN=$(python manage.py create_api_token alice)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.api.models import ApiToken
from console.api.tokens import create_token


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it cannot be shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label to tell this token apart")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        max_name = ApiToken._meta.get_field("name").max_length or 0
        if len(name) > max_name:
            raise CommandError(f"--name must be at most {max_name} characters")
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"there is no user named {username!r}") from None
        if not user.is_active:
            raise CommandError(f"user {username!r} is inactive; a token for them would not work")
        self.stdout.write(create_token(user, name=name))
