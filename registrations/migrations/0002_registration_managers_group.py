"""The "Registration managers" staff group: handle registrations and delegations."""

from django.db import migrations

from emn_conference.groups import group_remove, group_with_permissions

GROUP = "Registration managers"
PERMISSIONS = {
    "registrations": {
        "registration": ("change", "view", "export"),
        "sessionsignup": ("view",),
        "delegation": ("add", "change", "delete", "view"),
        "notification": ("view",),
        "privacynotice": ("add", "change", "view"),
        "lettertemplate": ("add", "change", "view"),
        "exportrecord": ("view",),
    },
    # To filter by event and session, and to name a delegation's organisation and head.
    "events": {"event": ("view",), "session": ("view",), "organisation": ("view",)},
    "accounts": {"user": ("view",)},
}


def create_group(apps, schema_editor):
    group_with_permissions(apps, GROUP, PERMISSIONS)


def remove_group(apps, schema_editor):
    group_remove(apps, GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0001_initial"),
        ("events", "0003_event_reference_prefix"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
