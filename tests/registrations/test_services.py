import datetime
import re

import icalendar
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import PublicationStatus
from registrations import services
from registrations.models import Notification, Registration, SessionSignup
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    SessionFactory,
    VerifiedUserFactory,
    details,
    sofia,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory()


@pytest.fixture
def open_event(db):
    return OpenEventFactory(capacity=2)


def register(event, user=None, **kwargs):
    kwargs.setdefault("details", details())
    kwargs.setdefault("privacy_accepted", True)
    user = user or VerifiedUserFactory()
    kwargs.setdefault("by", user)
    return services.registration_create(event=event, user=user, **kwargs)


def test_registration_with_a_free_seat_is_confirmed(open_event, privacy_notice):
    registration = register(open_event)
    assert registration.status == Status.CONFIRMED
    assert registration.privacy_notice == privacy_notice
    assert registration.privacy_accepted_at is not None
    assert [n.kind for n in registration.notifications.all()] == [Notification.Kind.CONFIRMED]


def test_registration_reference_is_short_readable_and_not_sequential(open_event):
    first, second = register(open_event), register(open_event)
    for registration in (first, second):
        assert re.fullmatch(r"EMN30-[A-HJKMNP-Z2-9]{5}", registration.reference)
    assert first.reference != second.reference


def test_registration_when_full_joins_the_waiting_list(open_event):
    register(open_event), register(open_event)
    third = register(open_event)
    assert third.status == Status.WAITLISTED
    assert third.queued_at is not None
    assert [n.kind for n in third.notifications.all()] == [Notification.Kind.WAITLISTED]


def test_registration_for_an_event_needing_approval_is_pending(open_event):
    open_event.requires_approval = True
    open_event.save()
    registration = register(open_event)
    assert registration.status == Status.PENDING
    assert [n.kind for n in registration.notifications.all()] == [Notification.Kind.PENDING]


def test_registration_without_capacity_is_never_waitlisted():
    event = OpenEventFactory(capacity=None)
    assert {register(event).status for _ in range(5)} == {Status.CONFIRMED}


@pytest.mark.parametrize(
    ("opens", "closes", "status"),
    [
        (datetime.timedelta(days=1), datetime.timedelta(days=2), PublicationStatus.PUBLISHED),
        (datetime.timedelta(days=-2), datetime.timedelta(days=-1), PublicationStatus.PUBLISHED),
        (datetime.timedelta(days=-1), datetime.timedelta(days=1), PublicationStatus.DRAFT),
        (None, None, PublicationStatus.PUBLISHED),
    ],
    ids=["not-yet-open", "closed", "draft", "no-window"],
)
def test_registration_outside_the_window_is_refused_and_nothing_saved(opens, closes, status):
    now = timezone.now()
    event = OpenEventFactory(
        registration_opens=now + opens if opens else None,
        registration_closes=now + closes if closes else None,
        status=status,
    )
    with pytest.raises(ValidationError) as info:
        register(event)
    assert info.value.messages == ["Registration for this event is not open."]
    assert Registration.objects.count() == 0
    assert Notification.objects.count() == 0


def test_second_registration_of_the_same_user_returns_the_first(open_event):
    user = VerifiedUserFactory()
    first = register(open_event, user)
    with pytest.raises(services.AlreadyRegistered) as info:
        register(open_event, user)
    assert info.value.registration == first
    assert Registration.objects.count() == 1


def test_registration_without_privacy_consent_is_refused(open_event):
    with pytest.raises(ValidationError) as info:
        register(open_event, privacy_accepted=False)
    assert info.value.message_dict == {
        "privacy_accepted": ["Please accept the privacy notice to register."]
    }
    assert Registration.objects.count() == 0


def test_registration_before_any_privacy_notice_is_refused(open_event, privacy_notice):
    privacy_notice.delete()
    with pytest.raises(ValidationError):
        register(open_event)
    assert Registration.objects.count() == 0


def test_cyrillic_name_needs_a_latin_spelling(open_event):
    with pytest.raises(ValidationError) as info:
        register(open_event, details=details(given_name="Радослав", family_name="Stamenkov"))
    assert list(info.value.message_dict) == ["given_name_latin"]
    registration = register(
        open_event,
        details=details(
            given_name="Радослав",
            family_name="Стаменков",
            given_name_latin="Radoslav",
            family_name_latin="Stamenkov",
        ),
    )
    assert registration.full_name_latin == "Radoslav Stamenkov"


def test_invitation_code_joins_the_delegation(open_event):
    delegation = DelegationFactory(event=open_event, quota=2)
    registration = register(open_event, invitation_code=delegation.invitation_code)
    assert registration.delegation == delegation


def test_unknown_invitation_code_is_refused(open_event):
    other = DelegationFactory()  # of another event
    with pytest.raises(ValidationError) as info:
        register(open_event, invitation_code=other.invitation_code)
    assert info.value.message_dict == {
        "invitation_code": ["This invitation code is not valid for this event."]
    }


def test_full_delegation_refuses_and_nothing_is_saved(open_event):
    open_event.capacity = None
    open_event.save()
    delegation = DelegationFactory(event=open_event, quota=1, name_en="IOM Austria")
    register(open_event, invitation_code=delegation.invitation_code)
    with pytest.raises(ValidationError) as info:
        register(open_event, invitation_code=delegation.invitation_code)
    assert info.value.message_dict == {
        "invitation_code": ["The delegation “IOM Austria” is full: all its 1 places are taken."]
    }
    assert Registration.objects.count() == 1


def test_cancelled_members_free_their_delegation_place(open_event):
    delegation = DelegationFactory(event=open_event, quota=1)
    first = register(open_event, invitation_code=delegation.invitation_code)
    services.registration_cancel(by=None, registration=first)
    assert register(open_event, invitation_code=delegation.invitation_code).delegation == delegation


def test_session_sign_up_within_capacity_is_confirmed_then_waitlisted(open_event):
    open_event.capacity = None
    open_event.save()
    workshop = SessionFactory(event=open_event, capacity=1)
    first = register(open_event, sessions=[workshop])
    second = register(open_event, sessions=[workshop])
    assert first.signups.get().status == SessionSignup.Status.CONFIRMED
    assert second.signups.get().status == SessionSignup.Status.WAITLISTED


@pytest.mark.parametrize("which", ["no-capacity", "other-event"])
def test_sign_up_for_a_session_without_sign_up_is_refused(open_event, which):
    session = (
        SessionFactory(event=open_event) if which == "no-capacity" else SessionFactory(capacity=5)
    )
    with pytest.raises(ValidationError) as info:
        register(open_event, sessions=[session])
    assert list(info.value.message_dict) == ["sessions"]
    assert Registration.objects.count() == 0


def test_cancelling_a_confirmed_registration_promotes_the_first_waiting(open_event):
    first, _second = register(open_event), register(open_event)
    waiting = [register(open_event) for _ in range(2)]
    services.registration_cancel(by=None, registration=first)
    first.refresh_from_db()
    for registration in waiting:
        registration.refresh_from_db()
    assert first.status == Status.CANCELLED
    assert [r.status for r in waiting] == [Status.CONFIRMED, Status.WAITLISTED]
    assert [n.kind for n in waiting[0].notifications.order_by("pk")] == [
        Notification.Kind.WAITLISTED,
        Notification.Kind.PROMOTED,
    ]


def test_cancelling_on_an_approval_event_promotes_to_pending(open_event):
    open_event.requires_approval = True
    open_event.capacity = 1
    open_event.save()
    first, waiting = register(open_event), register(open_event)
    services.registration_cancel(by=None, registration=first)
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING


def test_cancelling_frees_the_session_seat_for_the_first_waiting(open_event):
    open_event.capacity = None
    open_event.save()
    workshop = SessionFactory(event=open_event, capacity=1)
    first = register(open_event, sessions=[workshop])
    second = register(open_event, sessions=[workshop])
    services.registration_cancel(by=None, registration=first)
    assert not first.signups.exists()
    assert second.signups.get().status == SessionSignup.Status.CONFIRMED


def test_cancelling_twice_is_refused(open_event):
    registration = register(open_event)
    services.registration_cancel(by=None, registration=registration)
    with pytest.raises(ValidationError):
        services.registration_cancel(by=None, registration=registration)


def test_approving_a_pending_registration_confirms_it(open_event):
    open_event.requires_approval = True
    open_event.save()
    registration = services.registration_approve(by=None, registration=register(open_event))
    assert registration.status == Status.CONFIRMED
    assert registration.notifications.order_by("pk").last().kind == Notification.Kind.APPROVED


def test_approving_a_waiting_registration_needs_a_free_seat(open_event):
    register(open_event), register(open_event)
    waiting = register(open_event)
    with pytest.raises(ValidationError) as info:
        services.registration_approve(by=None, registration=waiting)
    assert info.value.messages == [f"{waiting.reference} cannot be approved: the event is full."]
    open_event.capacity = 3
    open_event.save()
    assert services.registration_approve(by=None, registration=waiting).status == Status.CONFIRMED


def test_approving_a_cancelled_registration_is_refused(open_event):
    registration = register(open_event)
    services.registration_cancel(by=None, registration=registration)
    with pytest.raises(ValidationError):
        services.registration_approve(by=None, registration=registration)


def test_declining_frees_the_seat_for_the_waiting_list(open_event):
    first, _ = register(open_event), register(open_event)
    waiting = register(open_event)
    services.registration_decline(by=None, registration=first)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert first.notifications.order_by("pk").last().kind == Notification.Kind.DECLINED


def test_moving_to_the_waiting_list_puts_it_last_and_promotes_the_first(open_event):
    first, _ = register(open_event), register(open_event)
    waiting = register(open_event)
    services.registration_move_to_waitlist(by=None, registration=first)
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == (Status.WAITLISTED, Status.CONFIRMED)
    assert first.queued_at > waiting.created_at


def test_update_changes_details_and_sessions(open_event):
    open_event.capacity = None
    open_event.save()
    morning = SessionFactory(event=open_event, capacity=1, start=sofia(open_event.start_date, 9))
    afternoon = SessionFactory(event=open_event, capacity=1, start=sofia(open_event.start_date, 14))
    mine = register(open_event, sessions=[morning])
    waiting = register(open_event, sessions=[morning])
    services.registration_update(
        by=None,
        registration=mine,
        details=details(position="Head of Office"),
        sessions=[afternoon],
    )
    mine.refresh_from_db()
    assert mine.position == "Head of Office"
    assert [s.session for s in mine.signups.all()] == [afternoon]
    assert waiting.signups.get().status == SessionSignup.Status.CONFIRMED


def test_update_after_registration_closes_is_refused(open_event):
    registration = register(open_event)
    open_event.registration_closes = timezone.now() - datetime.timedelta(minutes=1)
    open_event.save()
    with pytest.raises(ValidationError):
        services.registration_update(
            by=None, registration=registration, details=details(position="Changed"), sessions=[]
        )
    registration.refresh_from_db()
    assert registration.position == "Migration officer"


def test_resend_queues_the_message_of_the_current_status(open_event):
    registration = RegistrationFactory(event=open_event, status=Status.WAITLISTED)
    notification = services.registration_resend(by=None, registration=registration)
    assert notification.kind == Notification.Kind.WAITLISTED


def test_message_is_sent_after_commit_in_the_registrant_language(
    open_event, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(open_event, details=details(language="bg"))
    [message] = mailoutbox
    assert message.to == [registration.user.email]
    assert message.subject == (
        f"Регистрацията ви за {open_event.title_bg} е потвърдена ({registration.reference})"
    )
    assert "Уважаеми/а Anna Huber," in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="bg">' in html
    registration.notifications.get(status=Notification.Status.SENT)


def test_confirmation_carries_the_event_as_icalendar(
    open_event, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(open_event)
    [message] = mailoutbox
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"{open_event.slug}.ics"
    assert mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == open_event.title_en
    assert entry.decoded("DTSTART") == open_event.start_date
    assert entry.decoded("DTEND") == open_event.end_date + datetime.timedelta(days=1)


def test_waiting_list_message_has_no_calendar(
    open_event, mailoutbox, django_capture_on_commit_callbacks
):
    open_event.capacity = 0
    open_event.save()
    with django_capture_on_commit_callbacks(execute=True):
        register(open_event)
    [message] = mailoutbox
    assert message.attachments == []
    assert "waiting list" in message.subject


def test_mail_server_down_keeps_the_registration_and_the_message_for_a_retry(
    open_event, settings, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.mail.DownEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(open_event)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    notification = registration.notifications.get()
    assert (notification.status, notification.attempts, notification.error) == (
        Notification.Status.QUEUED,
        1,
        "SMTPServerDisconnected",
    )
    assert registration.user.email not in caplog.text
    assert "Anna" not in caplog.text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_resend(by=None, registration=registration)
    assert len(mailoutbox) == 1
    assert registration.notifications.filter(status=Notification.Status.SENT).count() == 1


def test_waiting_registrant_queues_for_a_session_seat_until_they_move_up(open_event):
    open_event.capacity = 1
    open_event.save()
    workshop = SessionFactory(event=open_event, capacity=5)
    first = register(open_event)
    waiting = register(open_event, sessions=[workshop])
    assert waiting.status == Status.WAITLISTED
    assert waiting.signups.get().status == SessionSignup.Status.WAITLISTED
    services.registration_cancel(by=None, registration=first)
    assert waiting.signups.get().status == SessionSignup.Status.CONFIRMED


def test_moving_to_the_waiting_list_gives_up_the_session_seat(open_event):
    open_event.capacity = None
    open_event.save()
    workshop = SessionFactory(event=open_event, capacity=1)
    holder = register(open_event, sessions=[workshop])
    next_in_line = register(open_event, sessions=[workshop])
    services.registration_move_to_waitlist(by=None, registration=holder)
    assert holder.signups.get().status == SessionSignup.Status.WAITLISTED
    assert next_in_line.signups.get().status == SessionSignup.Status.CONFIRMED


def test_newcomer_does_not_jump_the_waiting_list_after_capacity_is_raised(open_event):
    register(open_event), register(open_event)
    waiting = register(open_event)
    open_event.capacity = 3
    open_event.save()
    newcomer = register(open_event)
    waiting.refresh_from_db()
    assert (waiting.status, newcomer.status) == (Status.CONFIRMED, Status.WAITLISTED)


def test_raising_capacities_fills_them_from_the_waiting_lists(open_event):
    open_event.capacity = 1
    open_event.save()
    workshop = SessionFactory(event=open_event, capacity=1)
    first = register(open_event, sessions=[workshop])
    second = register(open_event, sessions=[workshop])
    open_event.capacity = 2
    open_event.save()
    workshop.capacity = 2
    workshop.save()
    assert services.waitlists_fill(by=None, event=open_event) == [second]
    second.refresh_from_db()
    assert second.status == Status.CONFIRMED
    assert {s.status for s in SessionSignup.objects.filter(session=workshop)} == {"confirmed"}
    assert first.signups.get().status == SessionSignup.Status.CONFIRMED


def test_cancelled_delegate_may_register_again_with_the_same_reference(open_event):
    user = VerifiedUserFactory()
    first = register(open_event, user)
    services.registration_cancel(by=None, registration=first)
    again = register(open_event, user, details=details(position="Head of Office"))
    assert again.pk == first.pk
    assert again.reference == first.reference
    assert (again.status, again.position) == (Status.CONFIRMED, "Head of Office")


def test_update_keeps_sign_ups_of_sessions_no_longer_offered(open_event):
    open_event.capacity = None
    open_event.save()
    workshop = SessionFactory(event=open_event, capacity=3)
    registration = register(open_event, sessions=[workshop])
    workshop.capacity = None
    workshop.save()
    services.registration_update(by=None, registration=registration, details=details(), sessions=[])
    assert registration.signups.count() == 1


def test_cancelling_after_the_event_promotes_nobody():
    past = OpenEventFactory(
        capacity=1,
        start_date=datetime.date(2020, 5, 14),
        end_date=datetime.date(2020, 5, 15),
        registration_opens=timezone.now() - datetime.timedelta(days=1),
    )
    first, waiting = register(past), register(past)
    services.registration_cancel(by=None, registration=first)
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITLISTED


def test_moving_up_in_a_session_queue_is_told_in_the_delegate_language(
    open_event, mailoutbox, django_capture_on_commit_callbacks
):
    open_event.capacity = None
    open_event.save()
    workshop = SessionFactory(
        event=open_event,
        capacity=1,
        title_bg="Вторични движения",
        start=sofia(open_event.start_date, 16),
    )
    holder = register(open_event, sessions=[workshop])
    waiting = register(open_event, sessions=[workshop], details=details(language="bg"))
    assert not holder.notifications.filter(kind=Notification.Kind.SESSION_SEAT).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(by=None, registration=holder)
    seat = waiting.notifications.get(kind=Notification.Kind.SESSION_SEAT)
    assert seat.session == workshop
    [message] = [m for m in mailoutbox if m.to == [waiting.user.email]]
    assert "и то вече е ваше: Вторични движения, 14 май, 16:00." in message.body


def test_freeing_a_seat_costs_the_same_however_long_the_waiting_list():
    def queries_to_cancel_with(waiting: int) -> int:
        event = OpenEventFactory(capacity=1)
        holder = RegistrationFactory(event=event)
        for _ in range(waiting):
            RegistrationFactory(event=event, status=Status.WAITLISTED, queued_at=timezone.now())
        with CaptureQueriesContext(connection) as queries:
            services.registration_cancel(by=None, registration=holder)
        assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 1
        # The waiting list is read only as far as there are free seats: one row here.
        [queue] = [
            q["sql"] for q in queries if "'waitlisted'" in q["sql"] and "ORDER BY" in q["sql"]
        ]
        assert queue.endswith("LIMIT 1")
        return len(queries)

    queries_to_cancel_with(1)  # warms the caches (content types) that the first call fills
    assert queries_to_cancel_with(3) == queries_to_cancel_with(40)


def test_registering_costs_the_same_with_10_or_1000_waiting(privacy_notice):
    def queries_to_register_with(waiting: int) -> int:
        event = OpenEventFactory(capacity=1)
        RegistrationFactory(event=event)
        user = VerifiedUserFactory()
        waiters = get_user_model().objects.bulk_create(
            get_user_model()(email=f"w{event.pk}-{n}@example.org") for n in range(waiting)
        )
        Registration.objects.bulk_create(
            RegistrationFactory.build(
                event=event,
                user=waiter,
                privacy_notice=privacy_notice,
                status=Status.WAITLISTED,
                queued_at=timezone.now(),
            )
            for waiter in waiters
        )
        with CaptureQueriesContext(connection) as queries:
            registration = register(event, user=user)
        assert registration.status == Status.WAITLISTED
        # No seat is free: the waiting list is not read at all.
        assert [q for q in queries if "ORDER BY" in q["sql"] and "'waitlisted'" in q["sql"]] == []
        return len(queries)

    queries_to_register_with(1)  # warms the caches (content types) that the first call fills
    assert queries_to_register_with(10) == queries_to_register_with(1000)


def test_a_capacity_raise_promotes_in_batches_in_queue_order(settings):
    event = OpenEventFactory(capacity=0)
    waiting = [
        RegistrationFactory(event=event, status=Status.WAITLISTED, queued_at=timezone.now())
        for _ in range(5)
    ]
    event.capacity = 3
    event.save()
    settings.WAITLIST_PROMOTION_BATCH = 2
    promoted = services.waitlists_fill(event=event, by=None)
    assert promoted == waiting[:3]
    assert (
        list(Registration.objects.filter(event=event, status=Status.CONFIRMED).order_by("pk"))
        == waiting[:3]
    )
