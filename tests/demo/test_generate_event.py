"""`generate_event`: a synthetic event in both languages whose rows obey the rules the services
keep (seats, the waiting list, sign-ups, quotas, the agenda), generated again only on request."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from demo.generator import GeneratorError, Size, generate_event
from events.models import (
    Announcement,
    Event,
    Organisation,
    Room,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)
from registrations import services
from registrations.models import Delegation, Registration, SessionSignup
from tests.factories import EventFactory, VerifiedUserFactory, details

pytestmark = pytest.mark.django_db

SMALL = Size(sessions=40, days=2, speakers=50, delegations=6, registrations=120, waiting=15)
CYRILLIC = re.compile("[А-Яа-я]")


@pytest.fixture
def generated():
    return generate_event(slug="gen", size=SMALL, seed=7).event


def test_it_has_the_sizes_asked_for(generated):
    assert generated.sessions.count() == 40
    assert Speaker.objects.filter(appearances__session__event=generated).distinct().count() == 50
    assert generated.delegations.count() == 6
    assert generated.registrations.count() == 120
    statuses = dict(
        generated.registrations.values_list("status").annotate(n=Count("pk")).order_by()
    )
    # 2% cancelled (of those not waiting), 15 waiting, the rest hold exactly every seat.
    assert statuses == {"confirmed": 103, "cancelled": 2, "waitlisted": 15}
    assert generated.capacity == 103
    assert (generated.start_date - generated.end_date).days == -1


def test_every_text_is_in_bulgarian_and_in_english(generated):
    rows = [
        (generated, ["title", "theme", "description", "aims", "topics"]),
        (generated.venue, ["name", "address", "city"]),
        *((room, ["name"]) for room in Room.objects.filter(venue=generated.venue)),
        *((track, ["name"]) for track in generated.tracks.all()),
        *(
            (speaker, ["honorific", "full_name", "position", "bio"])
            for speaker in Speaker.objects.filter(appearances__session__event=generated)
        ),
        *(
            (session, ["title"] if session.is_social else ["title", "description"])
            for session in generated.sessions.all()
        ),
        *((delegation, ["name"]) for delegation in generated.delegations.all()),
        *((item, ["title", "body"]) for item in generated.announcements.all()),
        *((organisation, ["name"]) for organisation in generated.organisers.all()),
    ]
    missing = []
    for obj, fields in rows:
        for field in fields:
            bulgarian, english = getattr(obj, f"{field}_bg"), getattr(obj, f"{field}_en")
            if not CYRILLIC.search(bulgarian or "") or CYRILLIC.search(english or "x"):
                missing.append(f"{type(obj).__name__} {obj.pk} {field}: {bulgarian!r} {english!r}")
    assert missing == []


def test_names_in_cyrillic_come_with_their_latin_spelling(generated):
    for registration in generated.registrations.all():
        registration.full_clean()  # the model's own rules: names, phone, country, choices
        if CYRILLIC.search(registration.given_name + registration.family_name):
            assert registration.given_name_latin and registration.family_name_latin
        else:
            assert registration.given_name_latin == registration.family_name_latin == ""
    languages = set(generated.registrations.values_list("language", flat=True))
    assert languages == {"bg", "en"}


def test_the_agenda_obeys_the_rules_of_the_admin(generated):
    # Rooms not double-booked, sessions within the event's days, no speaker in two places.
    for session in generated.sessions.select_related("event", "room", "track"):
        session.full_clean()
    for appearance in SessionSpeaker.objects.filter(session__event=generated):
        appearance.full_clean()
    kinds = set(generated.sessions.values_list("kind", flat=True))
    assert {"opening", "closing", "keynote", "break", "meal", "workshop"} <= kinds
    # Only workshops take sign-ups.
    assert set(
        generated.sessions.filter(capacity__isnull=False).values_list("kind", flat=True)
    ) == {"workshop"}


def test_seats_are_never_exceeded(generated):
    assert generated.registrations.holding_seats().count() == generated.capacity
    sessions = generated.sessions.filter(capacity__isnull=False).annotate(
        seated=Count("signups", filter=Q(signups__status=SessionSignup.Status.CONFIRMED)),
        waiting=Count("signups", filter=Q(signups__status=SessionSignup.Status.WAITLISTED)),
        waiting_with_seat=Count(
            "signups",
            filter=Q(
                signups__status=SessionSignup.Status.WAITLISTED,
                signups__registration__status=Registration.Status.CONFIRMED,
            ),
        ),
    )
    assert sessions.exists()
    for session in sessions:
        assert session.seated <= session.capacity
        # A delegate holding an event seat waits for a session only when it is full.
        if session.waiting_with_seat:
            assert session.seated == session.capacity
    seated_without_seat = SessionSignup.objects.filter(
        session__event=generated, status=SessionSignup.Status.CONFIRMED
    ).exclude(registration__status=Registration.Status.CONFIRMED)
    assert not seated_without_seat.exists()
    assert not SessionSignup.objects.filter(
        registration__event=generated, registration__status=Registration.Status.CANCELLED
    ).exists()
    for delegation in generated.delegations.all():
        if delegation.quota is not None:
            assert delegation.registrations.active().count() <= delegation.quota


def test_the_waiting_list_is_in_the_order_people_registered(generated):
    registrations = list(generated.registrations.order_by("created_at", "pk"))
    waiting = [r for r in registrations if r.status == Registration.Status.WAITLISTED]
    assert [r.pk for r in registrations[-15:]] == [r.pk for r in waiting]
    assert list(generated.registrations.waiting_in_order()) == waiting
    assert all(r.queued_at == r.created_at for r in waiting)
    assert all(r.queued_at is None for r in registrations if r not in waiting)
    times = [r.created_at for r in registrations]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert times[-1] <= generated.registration_closes
    for session in generated.sessions.filter(capacity__isnull=False):
        queue = list(
            session.signups.filter(status=SessionSignup.Status.WAITLISTED).order_by(
                "queued_at", "pk"
            )
        )
        order = [s.registration.created_at for s in queue]
        assert order == sorted(order)


def test_references_are_unique_and_carry_the_event_prefix(generated):
    references = list(generated.registrations.values_list("reference", flat=True))
    assert len(set(references)) == 120
    assert all(re.fullmatch(r"GEN-[A-HJ-NP-Z2-9]{5}", reference) for reference in references)
    assert generated.reference_prefix == "GEN"


def test_the_services_carry_on_from_the_generated_state(generated):
    """Full: a newcomer waits at the end of the queue; a cancellation moves up the first."""
    first_waiting = generated.registrations.waiting_in_order().first()
    newcomer = services.registration_create(
        event=generated,
        user=VerifiedUserFactory(),
        details=details(),
        privacy_accepted=True,
        by=None,
    )
    assert newcomer.status == Registration.Status.WAITLISTED
    assert list(generated.registrations.waiting_in_order())[-1] == newcomer
    confirmed = generated.registrations.confirmed().first()
    services.registration_cancel(registration=confirmed, by=None)
    first_waiting.refresh_from_db()
    assert first_waiting.status == Registration.Status.CONFIRMED
    assert generated.registrations.holding_seats().count() == generated.capacity


def test_the_same_seed_gives_the_same_event_and_another_seed_another():
    def content(event: Event) -> list:
        return [
            list(event.sessions.order_by("start", "room__name_en").values_list("title_bg", "kind")),
            list(
                event.registrations.order_by("created_at").values_list(
                    "reference", "family_name", "status", "country"
                )
            ),
        ]

    first = content(generate_event(slug="gen", size=SMALL, seed=7).event)
    again = content(generate_event(slug="gen", size=SMALL, seed=7, replace=True).event)
    other = content(generate_event(slug="gen", size=SMALL, seed=8, replace=True).event)
    assert again == first
    assert other != first


def test_an_existing_slug_is_generated_again_only_with_replace():
    call_command("generate_event", "--slug", "gen", "--sessions", "6", "--registrations", "10",
                 "--speakers", "5", "--delegations", "2", stdout=StringIO())  # fmt: skip
    counts = [
        model.objects.count()
        for model in (Speaker, Organisation, Venue, get_user_model(), Registration, Delegation)
    ]
    with pytest.raises(CommandError, match="exists already: use --replace"):
        call_command("generate_event", "--slug", "gen", stdout=StringIO())
    out = StringIO()
    call_command("generate_event", "--slug", "gen", "--sessions", "6", "--registrations", "10",
                 "--speakers", "5", "--delegations", "2", "--replace", stdout=out)  # fmt: skip
    assert "Event 'gen'" in out.getvalue()
    # Everything made for the first one went with it.
    assert [
        model.objects.count()
        for model in (Speaker, Organisation, Venue, get_user_model(), Registration, Delegation)
    ] == counts
    assert Event.objects.filter(slug="gen").count() == 1
    assert Track.objects.filter(event__slug="gen").count() == 2
    assert Announcement.objects.filter(event__slug="gen").count() == 2


def test_replace_refuses_an_event_it_did_not_make():
    EventFactory(slug="real")
    with pytest.raises(CommandError, match="not made by generate_event"):
        call_command("generate_event", "--slug", "real", "--replace", stdout=StringIO())
    assert Event.objects.filter(slug="real").exists()


def test_sizes_that_break_the_rules_are_refused():
    with pytest.raises(GeneratorError, match="10 would wait while 18 seats are free"):
        Size(registrations=100, waiting=10, capacity=108, cancelled=0).seats()
    with pytest.raises(GeneratorError, match="would hold 50 seats"):
        Size(registrations=100, waiting=10, capacity=50, cancelled=0).seats()
    assert Size(registrations=100, capacity=60, cancelled=0).seats() == (60, 60, 40, 0)
    assert Size(registrations=100, cancelled=0).seats() == (100, 100, 0, 0)


def test_a_known_password_only_in_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DJANGO_DEBUG=1"):
        call_command("generate_event", "--slug", "gen", "--password", "x", stdout=StringIO())


def test_generated_delegates_can_sign_in_with_the_password_given(settings, client):
    settings.DEBUG = True
    call_command("generate_event", "--slug", "gen", "--sessions", "4", "--registrations", "3",
                 "--speakers", "2", "--delegations", "1", "--password", "load-test-2030",
                 stdout=StringIO())  # fmt: skip
    response = client.post(
        "/en/accounts/login/",
        {"login": "delegate000001@gen.example.org", "password": "load-test-2030"},
    )
    assert response.status_code == 302
    assert client.get("/en/registrations/").context["user"].email == (
        "delegate000001@gen.example.org"
    )
