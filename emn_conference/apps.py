from django.apps import AppConfig


class EmnConferenceConfig(AppConfig):
    """The project itself, installed only so that its deployment checks are registered."""

    name = "emn_conference"
    verbose_name = "EMN Conference"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deployment checks
