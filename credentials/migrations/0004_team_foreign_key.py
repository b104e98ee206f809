"""`ConfigSection.team` turns from a slug into a foreign key to teams.Team. Every slug
already in use becomes a Team of that slug (named after it, with no members: an
administrator adds the owner), and the secrets of its sections are resealed under the
new context, which names the team by id (credentials.models.team_secret_context)."""

import django.db.models.deletion
from django.db import migrations, models

from credentials import crypto

SLUG_CONTEXT = "config-section:{id}:team:{slug}:secrets"
ID_CONTEXT = "config-section:{id}:team:{team}:secrets"


def _reseal(section, old: str, new: str) -> None:
    if section.sealed_secrets:
        section.sealed_secrets = crypto.seal_json(crypto.open_json(section.sealed_secrets, old), new)


def slugs_to_teams(apps, schema_editor):
    Team = apps.get_model("teams", "Team")
    ConfigSection = apps.get_model("credentials", "ConfigSection")
    for section in ConfigSection.objects.exclude(team_slug=""):
        team, _ = Team.objects.get_or_create(slug=section.team_slug, defaults={"name": section.team_slug})
        old = SLUG_CONTEXT.format(id=section.pk, slug=section.team_slug)
        _reseal(section, old, ID_CONTEXT.format(id=section.pk, team=team.pk))
        section.team = team
        section.save(update_fields=["team", "sealed_secrets"])


def teams_to_slugs(apps, schema_editor):
    ConfigSection = apps.get_model("credentials", "ConfigSection")
    for section in ConfigSection.objects.filter(team__isnull=False).select_related("team"):
        new = ID_CONTEXT.format(id=section.pk, team=section.team_id)
        _reseal(section, new, SLUG_CONTEXT.format(id=section.pk, slug=section.team.slug))
        section.team_slug = section.team.slug
        section.save(update_fields=["team_slug", "sealed_secrets"])


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0003_sso_secrets"),
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="configsection", name="section_owner_kind_name"),
        migrations.RemoveConstraint(model_name="configsection", name="section_team_kind_name"),
        migrations.RemoveConstraint(model_name="configsection", name="section_one_owner"),
        migrations.RenameField(model_name="configsection", old_name="team", new_name="team_slug"),
        migrations.AddField(
            model_name="configsection",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sections",
                to="teams.team",
            ),
        ),
        migrations.RunPython(slugs_to_teams, teams_to_slugs),
        migrations.RemoveField(model_name="configsection", name="team_slug"),
        migrations.AddConstraint(
            model_name="configsection",
            constraint=models.UniqueConstraint(
                condition=models.Q(("team__isnull", True)),
                fields=("owner", "kind", "name"),
                name="section_owner_kind_name",
            ),
        ),
        migrations.AddConstraint(
            model_name="configsection",
            constraint=models.UniqueConstraint(
                condition=models.Q(("team__isnull", False)),
                fields=("team", "kind", "name"),
                name="section_team_kind_name",
            ),
        ),
        migrations.AddConstraint(
            model_name="configsection",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("owner__isnull", False), ("team__isnull", True)),
                    models.Q(("owner__isnull", True), ("team__isnull", False)),
                    _connector="OR",
                ),
                name="section_one_owner",
            ),
        ),
    ]
