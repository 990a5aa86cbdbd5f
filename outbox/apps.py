from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Outgoing mail")

    def ready(self) -> None:
        from . import checks, delivery
        from .models import Email

        del checks  # imported for its deployment checks
        delivery.register(Email, delivery.build_email)
