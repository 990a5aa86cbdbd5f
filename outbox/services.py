"""Putting messages in the outbox; workers send them (see `delivery` and `tasks`)."""

import logging

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction

from .models import Email, Outgoing

logger = logging.getLogger(__name__)


def enqueue(*, item: Outgoing) -> None:
    """Hands the message to a worker once the current transaction commits.

    A broker that is down must not fail the request that already committed: the row stays
    queued and the sweep sends it when the broker is back (`robust` logs and goes on).
    """
    from .tasks import deliver  # the task module imports Celery; keep it out of model import

    label = item._meta.label_lower
    transaction.on_commit(lambda: deliver.delay(label, item.pk), robust=True)


def email_queue(*, message: EmailMessage) -> list[Email]:
    """Queues a rendered message, one row per recipient."""
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next((content for content, kind in message.alternatives if kind == "text/html"), "")
    emails = []
    with transaction.atomic():
        for to in message.to:
            email = Email(
                to=to,
                from_email=message.from_email,
                subject=message.subject[:255],
                body=message.body,
                html=html,
            )
            email.full_clean()
            email.save()
            enqueue(item=email)
            emails.append(email)
    return emails
