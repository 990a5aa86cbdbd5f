"""The "Registration managers" staff group: handle registrations and delegations."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
    # create_permissions skips app configs without a models module, which historical ones lack.
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    permissions = []
    for label, models in PERMISSIONS.items():
        codenames = [f"{action}_{model}" for model, actions in models.items() for action in actions]
        permissions += Permission.objects.filter(
            content_type__app_label=label, codename__in=codenames
        )
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0001_initial"),
        ("events", "0003_event_reference_prefix"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
