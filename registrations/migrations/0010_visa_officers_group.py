"""The "Visa officers" staff group: see registrations with their passport data and export
the visa list. Registration managers do not get view_passport_data."""

from django.db import migrations

from emn_conference.groups import group_remove, group_with_permissions

GROUP = "Visa officers"
PERMISSIONS = {
    "registrations": {
        "registration": ("view", "export"),
        # Codenames are "<action>_<model>": this is Registration's own "view_passport_data".
        "passport_data": ("view",),
    },
    # To filter the list by event.
    "events": {"event": ("view",)},
}


def create_group(apps, schema_editor):
    group_with_permissions(apps, GROUP, PERMISSIONS)


def remove_group(apps, schema_editor):
    group_remove(apps, GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0009_passport"),
        ("events", "0003_event_reference_prefix"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
