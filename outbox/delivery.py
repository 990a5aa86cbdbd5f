"""Sending a queued message exactly once, whichever worker gets it and however often.

`deliver` claims the row with `SELECT … FOR UPDATE SKIP LOCKED` inside a transaction, sends,
marks it sent and commits. Another worker given the same row at the same time skips it; one
given it later finds it sent. A worker killed while sending rolls the claim back, so the row
is still queued and the sweep hands it out again: only a message whose sending was cut by the
crash can go out twice. Temporary failures (the server down, busy or timing out, 4xx replies)
are retried with exponential backoff; permanent ones (5xx replies, a message that cannot be
built) are marked failed with the error's type, for staff to see and send again.
"""

import datetime
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import models, transaction
from django.utils import timezone

from .models import Email, Outgoing

logger = logging.getLogger(__name__)

Builder = Callable[[models.Model], EmailMessage]
# Model label ("registrations.notification") → its model and how to build its message.
_registry: dict[str, tuple[type[Outgoing], Builder]] = {}


def register(model: type[Outgoing], build: Builder) -> None:
    _registry[model._meta.label_lower] = (model, build)


def registered() -> dict[str, tuple[type[Outgoing], Builder]]:
    return dict(_registry)


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "retry", "failed" or "skipped"
    retry_in: float | None = None


def is_temporary(error: Exception) -> bool:
    """Whether trying again later may succeed (RFC 5321: 4xx is transient, 5xx permanent)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    # Refused or dropped connections, timeouts, TLS failures and a vanished server.
    return isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | OSError)


def backoff(attempts: int) -> float:
    """Seconds before the next try: 30 s, 1 min, 2 min, … up to the cap."""
    return min(settings.OUTBOX_RETRY_BASE * 2 ** (attempts - 1), settings.OUTBOX_RETRY_MAX)


def deliver(*, label: str, pk: int) -> Outcome:
    model, build = _registry[label]
    with transaction.atomic():
        claimed = (
            model.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=Outgoing.Status.QUEUED)
            .values_list("pk", flat=True)
        )
        if not claimed:
            # Sent, failed, gone, or being sent by another worker right now.
            return Outcome("skipped")
        item = model.objects.get(pk=pk)
        now = timezone.now()
        item.attempts += 1
        try:
            build(item).send()
        except Exception as error:
            # Only the id and the error's type: no addresses or names in the logs.
            item.error = type(error).__name__[:200]
            if is_temporary(error) and item.attempts < settings.OUTBOX_MAX_ATTEMPTS:
                delay = backoff(item.attempts)
                item.next_attempt_at = now + datetime.timedelta(seconds=delay)
                outcome = Outcome("retry", retry_in=delay)
                logger.warning("%s %s not sent yet: %s", label, pk, item.error)
            else:
                item.status = Outgoing.Status.FAILED
                outcome = Outcome("failed")
                # A message that cannot be built is a bug: its traceback is for the operators.
                bug = not isinstance(error, smtplib.SMTPException | OSError)
                logger.warning("%s %s failed: %s", label, pk, item.error, exc_info=bug)
        else:
            item.status = Outgoing.Status.SENT
            item.sent_at = now
            item.error = ""
            outcome = Outcome("sent")
            _after_sent(item)
        item.save()
    return outcome


def _after_sent(item: Outgoing) -> None:
    if isinstance(item, Email):
        # The text held one-time links and the person's address in context: not kept.
        item.body = item.html = ""


def due_for_sweep(*, now: datetime.datetime | None = None) -> list[tuple[str, int]]:
    """Queued messages whose task must have been lost (a crashed worker, a broker restart)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.OUTBOX_SWEEP_AFTER)
    due = []
    for label, (model, _build) in _registry.items():
        pks = model.objects.filter(
            status=Outgoing.Status.QUEUED, next_attempt_at__lte=cutoff
        ).values_list("pk", flat=True)[: settings.OUTBOX_SWEEP_BATCH]
        due += [(label, pk) for pk in pks]
    return due


def build_email(email: Email) -> EmailMessage:
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body, from_email=email.from_email, to=[email.to]
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    return message
