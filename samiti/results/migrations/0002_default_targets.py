"""Create the programme's default targets, so a fresh install has them to show and edit."""

from decimal import Decimal

from django.db import migrations

# members is a count; the others are shares of members, in per cent.
DEFAULT_TARGETS = {"members": 20_000, "women": 50, "ethnic_minority": 10, "disability": 5}


def create_targets(apps, schema_editor):
    Target = apps.get_model("results", "Target")
    for indicator, value in DEFAULT_TARGETS.items():
        Target.objects.get_or_create(indicator=indicator, defaults={"value": Decimal(value)})


def remove_targets(apps, schema_editor):
    # Only targets still at their default go: a value someone set is theirs to keep.
    Target = apps.get_model("results", "Target")
    for indicator, value in DEFAULT_TARGETS.items():
        Target.objects.filter(indicator=indicator, value=Decimal(value)).delete()


class Migration(migrations.Migration):
    dependencies = [("results", "0001_initial")]

    operations = [migrations.RunPython(create_targets, remove_targets)]
