from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from outbox import delivery

        from . import checks, notifications
        from .models import Notification

        del checks  # imported for its deployment checks
        delivery.register(Notification, notifications.build_message)
