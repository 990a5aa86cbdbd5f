"""The "Agenda editors" staff group: exactly what is needed to manage the agenda."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Agenda editors"
# Everything on the agenda's models, but events themselves are not deleted by editors:
# deleting one removes its whole programme.
PERMISSIONS = {
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


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    # create_permissions skips app configs without a models module, which historical ones lack.
    app_config = apps.get_app_config("events")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="events", codename__in=codenames)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
