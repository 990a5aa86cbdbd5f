"""Messages to registrants, in their preferred language, sent after the transaction commits.

A message is first recorded (`Notification`, status queued) inside the transaction that
changed the registration; it is sent once that transaction has committed. A mail server that
fails marks the record failed, and never rolls back or loses the registration: staff see it
in the admin and can send it again.
"""

import logging
import zoneinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from events.formatting import date_range
from events.ical import event_calendar

from . import documents
from .models import Notification, Registration

logger = logging.getLogger(__name__)

Kind = Notification.Kind

SUBJECTS = {
    Kind.CONFIRMED: _("Your registration for %(event)s is confirmed (%(reference)s)"),
    Kind.PENDING: _("We have received your registration for %(event)s (%(reference)s)"),
    Kind.WAITLISTED: _("You are on the waiting list for %(event)s (%(reference)s)"),
    Kind.PROMOTED: _("A place has become free for you at %(event)s (%(reference)s)"),
    Kind.APPROVED: _("Your registration for %(event)s is approved (%(reference)s)"),
    Kind.DECLINED: _("Your registration for %(event)s has been declined (%(reference)s)"),
    Kind.CANCELLED: _("Your registration for %(event)s is cancelled (%(reference)s)"),
    Kind.VISA_LETTER: _("Your visa invitation letter for %(event)s (%(reference)s)"),
    Kind.SESSION_SEAT: _("A seat is yours at a session of %(event)s (%(reference)s)"),
}

INTROS = {
    Kind.CONFIRMED: _("Thank you for registering. Your place is confirmed."),
    Kind.PENDING: _(
        "Thank you for registering. The organisers will review your registration and write "
        "to you again when it is approved."
    ),
    Kind.WAITLISTED: _(
        "Thank you for registering. All places are taken at the moment, so you are on the "
        "waiting list. If a place becomes free, it goes to the first person on the list and "
        "we will write to you at once."
    ),
    Kind.PROMOTED: _(
        "A place has become free and your registration has moved up from the waiting list."
    ),
    Kind.APPROVED: _("The organisers have approved your registration. Your place is confirmed."),
    Kind.DECLINED: _("We are sorry: the organisers could not accept your registration."),
    Kind.CANCELLED: _("Your registration has been cancelled. We hope to see you another time."),
    Kind.VISA_LETTER: _(
        "Your visa invitation letter is attached. You can also download it from your "
        "registration page."
    ),
    Kind.SESSION_SEAT: _(
        "A seat has become free at a session you signed up for, and it is now yours: "
        "%(session)s, %(when)s."
    ),
}


def queue(*, registration: Registration, kind: str, session=None) -> Notification:
    """Records the message and sends it once the current transaction commits."""
    notification = Notification.objects.create(
        registration=registration, kind=kind, language=registration.language, session=session
    )
    transaction.on_commit(lambda: deliver(notification_id=notification.pk))
    return notification


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def build_message(notification: Notification) -> EmailMultiAlternatives:
    registration = notification.registration
    event = registration.event
    with translation.override(notification.language):
        intro = INTROS[notification.kind]
        if notification.kind == Kind.SESSION_SEAT and notification.session is not None:
            session = notification.session
            start = timezone.localtime(session.start, zoneinfo.ZoneInfo(event.time_zone))
            intro = intro % {
                "session": session.title,
                "when": date_format(start, "j E, H:i"),
            }
        context = {
            "registration": registration,
            "event": event,
            "kind": notification.kind,
            "intro": intro,
            "dates": date_range(event.start_date, event.end_date),
            "registration_url": _absolute(registration.get_absolute_url()),
            "event_url": _absolute(event.get_absolute_url()),
        }
        subject = SUBJECTS[notification.kind] % {
            "event": event.title,
            "reference": registration.reference,
        }
        message = EmailMultiAlternatives(
            subject=str(subject),
            body=render_to_string("registrations/email/message.txt", context),
            to=[registration.user.email],
            reply_to=[event.contact_email] if event.contact_email else None,
        )
        message.attach_alternative(
            render_to_string("registrations/email/message.html", context), "text/html"
        )
        if notification.kind == Kind.VISA_LETTER:
            message.attach(
                f"visa-letter-{registration.reference}.pdf",
                documents.visa_letter_pdf(
                    registration, event.letter_template, notification.language
                ),
                "application/pdf",
            )
        if registration.status == Registration.Status.CONFIRMED and notification.kind in (
            Kind.CONFIRMED,
            Kind.APPROVED,
            Kind.PROMOTED,
        ):
            message.attach(
                f"{event.slug}.ics",
                event_calendar(event=event, url=context["event_url"]),
                "text/calendar; charset=utf-8; method=PUBLISH",
            )
    return message


def deliver(*, notification_id: int) -> Notification:
    notification = Notification.objects.select_related(
        "registration__event__venue", "registration__user", "session"
    ).get(pk=notification_id)
    try:
        build_message(notification).send()
    except Exception as error:
        notification.status = Notification.Status.FAILED
        notification.error = f"{type(error).__name__}"[:200]
        # Only ids and the error's type: no addresses or names in the logs.
        logger.warning("Message %s failed: %s", notification.pk, notification.error)
    else:
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.error = ""
    notification.save(update_fields=["status", "error", "sent_at"])
    return notification
