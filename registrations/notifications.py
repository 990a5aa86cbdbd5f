"""Messages to registrants, in their preferred language, sent by a worker after the commit.

A message is first recorded (`Notification`, status queued) inside the transaction that
changed the registration; once that transaction has committed, the outbox hands it to a
worker (`outbox.delivery`), which builds it from the registration as it is then and sends it,
retrying while the mail server is unavailable. A mail server that fails never rolls back or
loses the registration: a message that cannot be sent is marked failed, and staff see it in
the admin and can send it again.
"""

import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from emn_conference.site import absolute_url
from events.formatting import date_range
from events.ical import event_calendar, event_location
from outbox import services as outbox

from . import documents, placeholders, queries
from .models import IssuedDocument, Message, Notification, Registration, SessionSignup

Kind = Notification.Kind


class LetterWithdrawn(Exception):
    """The visa letter a message was to carry was withdrawn before it was sent."""


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
    Kind.REMINDER: _("%(event)s is coming soon: your practical details (%(reference)s)"),
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
    Kind.REMINDER: _(
        "The conference is near. Here is what you need: your sessions, the venue, your badge "
        "and the calendar. Please bring your badge, printed or on your phone."
    ),
}


def queue(*, registration: Registration, kind: str, session=None) -> Notification | None:
    """Records the message and sends it once the current transaction commits; an anonymised
    registration gets none (it has nobody to write to)."""
    if registration.user_id is None:
        return None
    notification = Notification.objects.create(
        registration=registration, kind=kind, language=registration.language, session=session
    )
    outbox.enqueue(item=notification)
    return notification


def _absolute(path: str) -> str:
    return absolute_url(path)


@dataclass(frozen=True)
class MessagePreview:
    """A message as its recipient will read it: subject and bodies, in their language."""

    language: str
    subject: str
    text: str
    html: str
    event_url: str


def message_preview(
    *, registration: Registration, kind: str, language: str | None = None, session=None
) -> MessagePreview:
    """Renders the message of `kind` for `registration` as it stands, recording nothing.

    `build_message` sends exactly this; the admin shows it before staff act.
    """
    language = language or registration.language
    event = registration.event
    with translation.override(language):
        intro = INTROS[kind]
        if kind == Kind.SESSION_SEAT and session is not None:
            start = timezone.localtime(session.start, zoneinfo.ZoneInfo(event.time_zone))
            intro = intro % {"session": session.title, "when": date_format(start, "j E, H:i")}
        context = {
            "registration": registration,
            "event": event,
            "kind": kind,
            "intro": intro,
            "dates": date_range(event.start_date, event.end_date),
            "registration_url": _absolute(registration.get_absolute_url()),
            "event_url": _absolute(event.get_absolute_url()),
            "privacy_url": _absolute(
                reverse("registrations:privacy_notice", kwargs={"slug": event.slug})
            ),
        }
        if kind == Kind.REMINDER:
            context.update(_reminder_context(registration=registration))
        subject = SUBJECTS[kind] % {"event": event.title, "reference": registration.reference}
        return MessagePreview(
            language=language,
            subject=str(subject),
            text=render_to_string("registrations/email/message.txt", context),
            html=render_to_string("registrations/email/message.html", context),
            event_url=context["event_url"],
        )


def _reminder_context(*, registration: Registration) -> dict:
    """What the reminder adds: the delegate's sessions (with their seat), the venue in full,
    and the links to the badge and to the calendar of their sessions."""
    zone = zoneinfo.ZoneInfo(registration.event.time_zone)
    signups = (
        SessionSignup.objects.seated()
        .filter(registration=registration)
        .select_related("session__room")
        .order_by("session__start", "session__pk")
    )
    sessions = [
        {
            "title": signup.session.title,
            "when": date_format(timezone.localtime(signup.session.start, zone), "j E, H:i"),
            "room": signup.session.room.name if signup.session.room else "",
        }
        for signup in signups
    ]
    return {
        "reminder": True,
        "sessions": sessions,
        "location": event_location(registration.event),
        "badge_url": _badge_url(registration),
        "calendar_url": _calendar_url(registration) if sessions else "",
    }


def _badge_url(registration: Registration) -> str:
    return _absolute(reverse("registrations:badge", kwargs={"reference": registration.reference}))


def _calendar_url(registration: Registration) -> str:
    token = registration.calendar_token
    return _absolute(reverse("registrations:personal_calendar", kwargs={"token": token}))


def message_values(*, registration: Registration) -> dict[str, str]:
    """What each placeholder of a message to delegates (`Message.PLACEHOLDERS`) stands for,
    in the active language."""
    event = registration.event
    venue = event.venue
    return {
        "name": registration.full_name,
        "reference": registration.reference,
        "event": event.title,
        "dates": date_range(event.start_date, event.end_date),
        "venue": f"{venue.name}, {venue.city}" if venue else "",
        "registration_url": _absolute(registration.get_absolute_url()),
        "badge_url": _badge_url(registration),
        "calendar_url": _calendar_url(registration),
        "event_url": _absolute(event.get_absolute_url()),
    }


def staff_message_preview(
    *, message: Message, registration: Registration, language: str | None = None
) -> MessagePreview:
    """A message staff wrote, as `registration` reads it: in their language, its placeholders
    filled with their details. The admin's preview shows exactly what `build_message` sends."""
    language = language or registration.language
    event = registration.event
    with translation.override(language):
        values = message_values(registration=registration)
        subject = placeholders.fill_placeholders(
            getattr(message, build_localized_fieldname("subject", language)), values
        )
        body = placeholders.fill_placeholders(
            getattr(message, build_localized_fieldname("body", language)), values
        )
        context = {
            "registration": registration,
            "event": event,
            "body": body,
            "registration_url": values["registration_url"],
            "privacy_url": _absolute(
                reverse("registrations:privacy_notice", kwargs={"slug": event.slug})
            ),
        }
        return MessagePreview(
            language=language,
            # A header cannot hold a line break: a subject is one line.
            subject=" ".join(subject.split()),
            text=render_to_string("registrations/email/staff_message.txt", context),
            html=render_to_string("registrations/email/staff_message.html", context),
            event_url=values["event_url"],
        )


def build_message(notification: Notification) -> EmailMultiAlternatives:
    notification = Notification.objects.select_related(
        "registration__event__venue", "registration__user", "session", "message"
    ).get(pk=notification.pk)
    registration = notification.registration
    event = registration.event
    if notification.kind == Kind.MESSAGE:
        preview = staff_message_preview(
            message=notification.message,
            registration=registration,
            language=notification.language,
        )
    else:
        preview = message_preview(
            registration=registration,
            kind=notification.kind,
            language=notification.language,
            session=notification.session,
        )
    with translation.override(notification.language):
        message = EmailMultiAlternatives(
            subject=preview.subject,
            body=preview.text,
            to=[registration.user.email],
            reply_to=[event.contact_email] if event.contact_email else None,
        )
        message.attach_alternative(preview.html, "text/html")
        if notification.kind == Kind.VISA_LETTER:
            issued = queries.document_current(
                registration=registration, kind=IssuedDocument.Kind.VISA_LETTER
            )
            if issued is None:
                # Withdrawn between approval and sending: no letter leaves, and the message
                # is marked failed for staff to see (they approve again).
                raise LetterWithdrawn(notification.pk)
            message.attach(
                f"visa-letter-{registration.reference}.pdf",
                documents.visa_letter_pdf(
                    registration, event.letter_template, notification.language, document=issued
                ),
                "application/pdf",
            )
        if registration.is_confirmed and notification.kind in (
            Kind.CONFIRMED,
            Kind.APPROVED,
            Kind.PROMOTED,
            Kind.REMINDER,
        ):
            message.attach(
                f"{event.slug}.ics",
                event_calendar(event=event, url=preview.event_url),
                "text/calendar; charset=utf-8; method=PUBLISH",
            )
    return message


def tell_staff_visa_letter_withdrawn(*, registration: Registration) -> None:
    """Tells the event's contact that a delegate changed what their approved letter showed."""
    event = registration.event
    if not event.contact_email:
        return  # the registration list's visa letter filter still shows it as not approved
    admin_path = reverse("admin:registrations_registration_change", args=[registration.pk])
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Visa letter to approve again: %(reference)s") % {
            "reference": registration.reference
        }
        body = _(
            "%(reference)s changed details that their approved visa invitation letter shows. "
            "The approval is withdrawn: they get no letter until you approve it again.\n\n%(url)s"
        ) % {"reference": registration.reference, "url": _absolute(admin_path)}
    outbox.email_queue(
        message=EmailMultiAlternatives(
            subject=str(subject), body=str(body), to=[event.contact_email]
        )
    )
