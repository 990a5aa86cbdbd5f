"""The organisers' dashboard: who may open it, that its figures are exact, and that the number
of queries does not grow with the event."""

import datetime
import re
import zoneinfo

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from events.models import Organisation, PublicationStatus
from registrations import services
from registrations.models import CheckIn, LetterTemplate, Registration
from tests.factories import (
    PASSPORT,
    DelegationFactory,
    OpenEventFactory,
    OrganisationFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    VerifiedUserFactory,
    details,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status
SOFIA = zoneinfo.ZoneInfo("Europe/Sofia")


def dashboard_url(event, language: str = "en") -> str:
    with translation.override(language):
        return reverse("registrations:dashboard", kwargs={"slug": event.slug})


def staff_in(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def manager():
    return staff_in("Registration managers")


@pytest.fixture
def small_event():
    """Five registrations over three days (Sofia time), two delegations, one sign-up session.

    A (BG) and B (AT) of the government delegation (quota 2), C (DE) of a delegation without
    an organisation, all confirmed; E (AT) waited and cancelled; D (AT), alone, waits.
    """
    PrivacyNoticeFactory()
    event = OpenEventFactory(slug="small", capacity=3, title_en="Crossroads")
    LetterTemplate.objects.create(
        event=event, letterhead_en="Ministry", place_en="Sofia", body_en="We invite {name}."
    )
    government = OrganisationFactory(kind=Organisation.Kind.GOVERNMENT)
    ministry = DelegationFactory(
        event=event, organisation=government, quota=2, name_en="Ministry", name_bg="Министерство"
    )
    german = DelegationFactory(event=event, country="DE", name_en="Germany", name_bg="Германия")
    workshop = SessionFactory(event=event, capacity=1, title_en="Workshop", title_bg="Работилница")

    def register(name, day, delegation=None, sessions=(), **fields):
        user = VerifiedUserFactory()
        registration = services.registration_create(
            event=event,
            user=user,
            details=details(given_name=name, **fields),
            sessions=list(sessions),
            invitation_code=delegation.invitation_code if delegation else "",
            privacy_accepted=True,
            by=user,
        )
        made = datetime.datetime(2030, 3, day, 23, 30, tzinfo=SOFIA)  # late: a UTC date earlier
        Registration.objects.filter(pk=registration.pk).update(created_at=made)
        return registration

    a = register(
        "A",
        1,
        ministry,
        [workshop],
        country="BG",
        dietary_requirements="vegetarian",
        interpretation_language="en",
        needs_visa_letter=True,
        **PASSPORT,
    )
    register("B", 1, ministry, [workshop], country="AT", accessibility_needs="wheelchair")
    register("C", 2, german, country="DE", needs_visa_letter=True, **PASSPORT)
    e = register("E", 4, country="AT")
    services.registration_cancel(registration=e, by=None)
    register("D", 4, country="AT")
    services.visa_letter_approve(registration=a, by=None)
    b = Registration.objects.get(event=event, given_name="B")
    c = Registration.objects.get(event=event, given_name="C")

    def check_in(registration, day, hour, minute, session=None, repeat=False):
        CheckIn.objects.create(
            registration=registration,
            session=session,
            day=datetime.date(2030, 5, day),
            scanned_at=datetime.datetime(2030, 5, day, hour, minute, tzinfo=SOFIA),
            repeat=repeat,
        )

    check_in(a, 14, 9, 10)
    check_in(a, 14, 9, 40, repeat=True)  # scanned again: not counted
    check_in(b, 14, 9, 55)
    check_in(c, 14, 10, 5)
    check_in(a, 14, 11, 0, session=workshop)
    check_in(a, 15, 9, 30)
    return event


def sections(response) -> dict[str, list]:
    return {
        section.slug: [(row.label, row.values) for row in section.rows]
        for section in response.context["sections"]
    }


# --- who may see it ------------------------------------------------------------------------


def test_registration_managers_and_superusers_see_the_dashboard(client, small_event, manager):
    client.force_login(manager)
    assert client.get(dashboard_url(small_event)).status_code == 200
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(dashboard_url(small_event, "bg")).status_code == 200


@pytest.mark.parametrize(
    "who",
    ["anonymous", "delegate", "agenda editor", "staff without permissions", "inactive manager"],
)
def test_everyone_else_is_told_there_is_no_such_page(client, small_event, who):
    if who == "delegate":
        client.force_login(Registration.objects.filter(event=small_event).first().user)
    elif who == "agenda editor":
        client.force_login(staff_in("Agenda editors"))
    elif who == "staff without permissions":
        client.force_login(UserFactory(is_staff=True))
    elif who == "inactive manager":
        user = staff_in("Registration managers")
        client.force_login(user)
        user.is_active = False
        user.save()
    assert client.get(dashboard_url(small_event)).status_code == 404


def test_a_registration_permission_without_staff_status_is_not_enough(client, small_event):
    user = staff_in("Registration managers")
    user.is_staff = False
    user.save()
    client.force_login(user)
    assert client.get(dashboard_url(small_event)).status_code == 404


def test_a_draft_events_dashboard_is_open_to_its_staff(client, small_event, manager):
    small_event.status = PublicationStatus.DRAFT
    small_event.save()
    client.force_login(manager)
    assert client.get(dashboard_url(small_event)).status_code == 200


def test_an_unknown_event_is_404(client, manager):
    client.force_login(manager)
    with translation.override("en"):
        url = reverse("registrations:dashboard", kwargs={"slug": "no-such-event"})
    assert client.get(url).status_code == 404


# --- the figures ---------------------------------------------------------------------------


def test_the_figures_are_exact(client, small_event, manager):
    client.force_login(manager)
    response = client.get(dashboard_url(small_event))
    found = sections(response)
    # Days in the event's time zone; each day's running totals by the status held now.
    assert found["timeline"] == [
        ("1 March 2030", [2, 0, 0, 2]),
        ("2 March 2030", [3, 0, 0, 3]),
        ("4 March 2030", [3, 1, 1, 5]),
    ]
    assert response.context["sections"][0].columns == [
        "Day",
        "Confirmed",
        "On the waiting list",
        "Cancelled",
        "Total",
    ]
    # Active registrations: confirmed, pending, waiting, total; the largest first.
    assert found["countries"] == [
        ("Austria", [1, 0, 1, 2]),
        ("Bulgaria", [1, 0, 0, 1]),
        ("Germany", [1, 0, 0, 1]),
    ]
    assert found["organisation-kinds"] == [
        ("Government", [2, 0, 0, 2]),
        ("No organisation on record", [1, 0, 1, 2]),
    ]
    assert found["delegations"] == [("Germany", [1, "no limit", ""]), ("Ministry", [2, 2, 0])]
    assert found["sessions"] == [("Workshop", [1, 1, 0, 1])]
    assert found["needs"] == [
        ("Dietary requirements", [1]),
        ("Accessibility needs", [1]),
        ("Interpretation into Bulgarian", [0]),
        ("Interpretation into English", [1]),
    ]
    assert found["visa-letters"] == [
        ("Asked for", [2]),
        ("Approved", [1]),
        ("Confirmed, awaiting approval", [1]),
        ("Registration not confirmed yet", [0]),
    ]
    # First check-ins by hour, in the event's time zone: at the door, at sessions, total.
    assert found["checkins"] == [
        ("14 May, 09:00–10:00", [2, 0, 2]),
        ("14 May, 10:00–11:00", [1, 0, 1]),
        ("14 May, 11:00–12:00", [0, 1, 1]),
        ("15 May, 09:00–10:00", [1, 0, 1]),
    ]
    assert found["checkins-sessions"] == [("Workshop", [1, 1, 0])]
    assert [(row.label, row.values) for row in response.context["summary"]] == [
        ("Seats", [3]),
        ("Seats taken (confirmed and pending)", [3]),
        ("Pending approval", [0]),
        ("Confirmed", [3]),
        ("On the waiting list", [1]),
        ("Declined", [0]),
        ("Cancelled", [1]),
    ]


def test_the_page_is_in_bulgarian_with_each_chart_beside_its_table(client, small_event, manager):
    client.force_login(manager)
    response = client.get(dashboard_url(small_event, "bg"))
    page = response.content.decode()
    assert "<h1>Табло на организаторите</h1>" in page
    assert '<th scope="row">Австрия</th>' in page
    assert '<th scope="row">Министерство</th>' in page
    # Nine charts, each an image with a name, and nine tables of figures with a caption.
    assert len(re.findall(r'<svg class="chart" role="img" aria-label="[^"]+"', page)) == 9
    assert page.count("<caption id=") == 9
    assert '<th scope="row">14 май, 09:00–10:00 ч.</th>' in page
    assert 'aria-label="Квоти на делегациите"' in page
    # No style attribute or element anywhere: the CSP allows none.
    assert not re.search(r"<style|\sstyle=", page)
    assert "css/dashboard.css" in page


def test_a_delegation_named_in_one_language_is_marked_with_it(client, small_event, manager):
    DelegationFactory(event=small_event, name_en="", name_bg="Само на български")
    client.force_login(manager)
    page = client.get(dashboard_url(small_event)).content.decode()
    assert '<th scope="row" lang="bg">Само на български</th>' in page


def test_an_event_without_registrations_says_so(client, manager):
    event = OpenEventFactory(slug="empty")
    client.force_login(manager)
    response = client.get(dashboard_url(event))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nobody has registered yet." in page
    assert "The event has no delegations." in page
    assert "The event has no sessions with sign-up." in page
    assert "Nobody has been checked in yet." in page


# --- constant queries ----------------------------------------------------------------------


def _grow(event, n: int, *, delegations: int, sessions: int) -> None:
    """`n` registrations of every status, spread over days, countries, delegations of every
    kind of organisation, and sessions."""
    PrivacyNoticeFactory()
    kinds = list(Organisation.Kind)
    groups = [
        DelegationFactory(
            event=event, organisation=OrganisationFactory(kind=kinds[i % len(kinds)]), quota=5
        )
        for i in range(delegations)
    ]
    rooms = [SessionFactory(event=event, capacity=10) for _ in range(sessions)]
    statuses = list(Status)
    for i in range(n):
        registration = RegistrationFactory(
            event=event,
            status=statuses[i % len(statuses)],
            country=["BG", "AT", "DE", "FR", "GR"][i % 5],
            delegation=groups[i % delegations] if i % 4 else None,
            dietary_requirements="vegan" if i % 3 else "",
            needs_visa_letter=bool(i % 2),
        )
        Registration.objects.filter(pk=registration.pk).update(
            created_at=datetime.datetime(2030, 3, 1 + i % 20, 12, tzinfo=SOFIA)
        )
        registration.signups.create(session=rooms[i % sessions], status="confirmed")
        if registration.status == Status.CONFIRMED:
            # Checked in at the door on one of two days at one of three hours, and at
            # their session.
            for session in (None, rooms[i % sessions]):
                registration.checkins.create(
                    session=session,
                    day=datetime.date(2030, 5, 14 + i % 2),
                    scanned_at=datetime.datetime(2030, 5, 14 + i % 2, 9 + i % 3, tzinfo=SOFIA),
                )


def _queries(client, event) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(dashboard_url(event))
    assert response.status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_registrations(client, manager):
    client.force_login(manager)
    small, large = OpenEventFactory(slug="two"), OpenEventFactory(slug="fifty")
    _grow(small, 2, delegations=1, sessions=1)
    _grow(large, 50, delegations=6, sessions=4)
    _queries(client, small)  # the session and the user, read once for both
    assert _queries(client, small) == _queries(client, large)


# --- links from the back office ------------------------------------------------------------


def test_the_event_admin_links_to_the_dashboard_for_those_who_may_see_it(
    client, small_event, manager
):
    with translation.override("en"):
        change = reverse("admin:events_event_change", args=[small_event.pk])
        changelist = reverse("admin:events_event_changelist")
    link = f'href="{dashboard_url(small_event)}"'
    client.force_login(manager)
    assert link in client.get(change).content.decode()
    assert link in client.get(changelist).content.decode()
    client.force_login(staff_in("Agenda editors"))
    assert link not in client.get(change).content.decode()
    assert link not in client.get(changelist).content.decode()
