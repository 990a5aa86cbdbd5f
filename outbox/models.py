"""The outbox: every message is a row first and is sent later by a worker.

A request only writes the row; a Celery task (or, without a broker, the same code in-process
after the commit) sends it. A row is claimed under a lock, so two workers never send the same
message, and a crashed send leaves it queued for the sweep to send again (see `delivery`).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outgoing(models.Model):
    """The delivery state shared by every kind of message."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    error = models.CharField(_("error"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a worker should (next) try it; the sweep re-queues rows long past this time.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        abstract = True


class Email(Outgoing):
    """A message rendered when it was asked for (account mail: verification, password reset).

    Its text carries one-time links, so it is emptied once sent; the row stays as a record.
    """

    to = models.EmailField(_("to"))
    from_email = models.CharField(_("from"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)

    class Meta:
        verbose_name = _("account message")
        verbose_name_plural = _("account messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_email_due_idx"),
        ]

    def __str__(self) -> str:
        return self.subject
