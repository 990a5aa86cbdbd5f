"""Staff groups created by data migrations, with exactly the permissions they name."""

from django.contrib.auth.management import create_permissions


def group_with_permissions(apps, name: str, permissions: dict[str, dict[str, tuple]]) -> None:
    """Creates (or resets) the group `name` with `{app_label: {model: (actions…)}}`.

    Used inside migrations, with their historical `apps`: permissions are normally created
    only after all migrations have run, so they are created here first.
    """
    for label in permissions:
        app_config = apps.get_app_config(label)
        # create_permissions skips app configs without a models module, which historical
        # ones lack.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=name)
    granted = []
    for label, models in permissions.items():
        codenames = [f"{action}_{model}" for model, actions in models.items() for action in actions]
        granted += Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
    group.permissions.set(granted)


def group_remove(apps, name: str) -> None:
    apps.get_model("auth", "Group").objects.filter(name=name).delete()
