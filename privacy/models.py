"""What the retention purge did: counts per event and field, never the values."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Event


class PurgeRecord(models.Model):
    """One step of `purge_personal_data` on one event, written once it is done."""

    class Step(models.TextChoices):
        SENSITIVE = "sensitive", _("Sensitive data cleared")
        ANONYMISED = "anonymised", _("Registrations anonymised")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="purges", verbose_name=_("event")
    )
    step = models.CharField(_("step"), max_length=12, choices=Step)
    registrations = models.PositiveIntegerField(_("registrations"))
    # {field name: how many registrations held a value in it}.
    fields = models.JSONField(_("fields cleared"), default=dict, blank=True)
    created_at = models.DateTimeField(_("done at"), auto_now_add=True)

    class Meta:
        verbose_name = _("personal data purge")
        verbose_name_plural = _("personal data purges")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.created_at:%Y-%m-%d %H:%M}"
