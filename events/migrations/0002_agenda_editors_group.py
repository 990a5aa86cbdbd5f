"""The "Agenda editors" staff group: exactly what is needed to manage the agenda."""

from django.db import migrations

from emn_conference.groups import group_remove, group_with_permissions

GROUP = "Agenda editors"
# Everything on the agenda's models, but events themselves are not deleted by editors:
# deleting one removes its whole programme.
PERMISSIONS = {
    "events": {
        "organisation": ("add", "change", "delete", "view"),
        "venue": ("add", "change", "delete", "view"),
        "room": ("add", "change", "delete", "view"),
        "event": ("add", "change", "view"),
        "track": ("add", "change", "delete", "view"),
        "session": ("add", "change", "delete", "view"),
        "sessionspeaker": ("add", "change", "delete", "view"),
        "speaker": ("add", "change", "delete", "view"),
        "announcement": ("add", "change", "delete", "view"),
    }
}


def create_group(apps, schema_editor):
    group_with_permissions(apps, GROUP, PERMISSIONS)


def remove_group(apps, schema_editor):
    group_remove(apps, GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
