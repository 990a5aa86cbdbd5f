"""One answer to each question about places, for the services and every page alike."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from events.models import PublicationStatus
from registrations import queries, services
from registrations.models import Registration
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    VerifiedUserFactory,
)
from tests.registrations.test_views import url

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.mark.parametrize(
    ("limit", "used", "free", "is_full"),
    [(None, 7, None, False), (10, 7, 3, False), (10, 10, 0, True), (10, 12, 0, True)],
)
def test_seats_say_how_many_are_free(limit, used, free, is_full):
    seats = queries.Seats(limit, used)
    assert (seats.free, seats.is_full) == (free, is_full)


def test_an_events_seats_are_held_by_confirmed_and_pending_registrations():
    event = OpenEventFactory(capacity=5)
    for status in [Status.CONFIRMED, Status.PENDING, Status.WAITLISTED, Status.CANCELLED]:
        RegistrationFactory(event=event, status=status)
    assert queries.event_seats(event=event) == queries.Seats(5, 2)


def test_the_index_the_seat_count_reads_holds_exactly_the_seat_holding_statuses():
    index = next(i for i in Registration._meta.indexes if i.name == "registrations_seats_held")
    assert index.condition.children == [("status__in", list(Registration.SEAT_HOLDING_STATUSES))]


def test_a_delegations_places_are_used_by_its_active_members():
    delegation = DelegationFactory(quota=3)
    for status in [Status.CONFIRMED, Status.WAITLISTED, Status.DECLINED]:
        RegistrationFactory(event=delegation.event, delegation=delegation, status=status)
    assert queries.delegation_places(delegation=delegation) == queries.Seats(3, 2)
    [listed] = queries.delegations_with_members(type(delegation).objects.all())
    assert queries.delegation_places(delegation=listed) == queries.Seats(3, 2)


def test_a_sessions_seats_are_held_by_confirmed_sign_ups():
    session = SessionFactory(capacity=2)
    registration = RegistrationFactory(event=session.event)
    registration.signups.create(session=session, status="confirmed")
    RegistrationFactory(event=session.event).signups.create(session=session, status="waitlisted")
    assert queries.session_seats(session=session) == queries.Seats(2, 1)


def test_staff_previewing_a_draft_get_no_register_button_and_the_service_agrees(client):
    PrivacyNoticeFactory()
    event = OpenEventFactory(status=PublicationStatus.DRAFT)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(url("events:detail", slug=event.slug)).content.decode()
    assert "Registration opens once the event is published." in html
    assert url("registrations:register", slug=event.slug) not in html
    assert not queries.RegistrationAvailability(event=event).is_open
    with pytest.raises(ValidationError) as refused:
        services.registration_create(
            event=event,
            user=VerifiedUserFactory(),
            details={},
            privacy_accepted=True,
            by=None,
        )
    assert refused.value.messages == ["Registration for this event is not open."]


def test_what_a_registration_may_do_follows_its_status_and_the_window(client):
    PrivacyNoticeFactory()
    event = OpenEventFactory()
    confirmed = RegistrationFactory(event=event, status=Status.CONFIRMED)
    waiting = RegistrationFactory(event=event, status=Status.WAITLISTED)
    cancelled = RegistrationFactory(event=event, status=Status.CANCELLED)
    assert [r.can_be_edited() for r in (confirmed, waiting, cancelled)] == [True, True, False]
    assert [r.is_confirmed for r in (confirmed, waiting, cancelled)] == [True, False, False]
    assert [r.allows_registering_again for r in (confirmed, waiting, cancelled)] == [
        False,
        False,
        True,
    ]
    client.force_login(waiting.user)
    assert client.get(url("registrations:badge", reference=waiting.reference)).status_code == 404
    client.force_login(confirmed.user)
    assert client.get(url("registrations:badge", reference=confirmed.reference)).status_code == 200


def test_templates_ask_the_rules_instead_of_comparing_statuses():
    # A template that compares a status or a registration state by its code re-derives a rule
    # that has a home in the models or queries (e.g. `is_confirmed`, `opens_later`).
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if any(
            needle in path.read_text()
            for needle in ('status == "', 'status != "', '"not_yet_open"', "state == ")
        )
    ]
    assert offenders == []
