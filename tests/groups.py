"""The staff groups the data migrations create, made again where a transactional test has
emptied the database (flushing keeps permissions, which Django recreates, but not groups)."""

import importlib

from django.contrib.auth.models import Group, Permission

MIGRATIONS = (
    "events.migrations.0002_agenda_editors_group",
    "registrations.migrations.0002_registration_managers_group",
    "registrations.migrations.0010_visa_officers_group",
    # Adds to the registration managers' group made above.
    "registrations.migrations.0012_messages_and_reminders",
    "registrations.migrations.0016_checkin",
)


def ensure_staff_groups() -> None:
    made = set()
    for name in MIGRATIONS:
        migration = importlib.import_module(name)
        group, created = Group.objects.get_or_create(name=migration.GROUP)
        if created:
            made.add(group.name)
        if group.name not in made:
            continue
        for label, models in migration.PERMISSIONS.items():
            codenames = [f"{a}_{model}" for model, actions in models.items() for a in actions]
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
            )
