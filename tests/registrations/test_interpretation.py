"""Interpretation for delegates: offered only into the event's languages, shown as a sentence,
and counted per session and channel for the booths."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from registrations import services
from registrations.models import Registration
from tests.factories import (
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    SessionInterpretationFactory,
    VerifiedUserFactory,
    sofia,
)
from tests.registrations.test_views import form_data

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory()


@pytest.fixture
def event(db):
    return OpenEventFactory(capacity=10)


@pytest.fixture
def delegate(client):
    client.force_login(VerifiedUserFactory(email="anna.huber@example.org"))


def options(html: str) -> list[str]:
    select = html.split('name="interpretation_language"', 1)[1].split("</select>", 1)[0]
    return [line.strip() for line in select.splitlines() if line.strip().startswith("<option")]


def test_the_form_offers_interpretation_only_into_the_languages_the_event_interprets_into(
    client, delegate, event
):
    SessionInterpretationFactory(session__event=event, session__floor_language="bg", language="en")
    html = client.get(url("registrations:register", "en", slug=event.slug)).content.decode()
    assert options(html) == [
        '<option value="" selected>I do not need interpretation</option>',
        '<option value="en">I need interpretation into English</option>',
    ]
    html = client.get(url("registrations:register", "bg", slug=event.slug)).content.decode()
    assert options(html) == [
        '<option value="" selected>Не се нуждая от превод</option>',
        '<option value="en">Нуждая се от превод на английски</option>',
    ]


def test_interpretation_into_a_language_not_offered_is_refused_and_nothing_saved(
    client, delegate, event
):
    SessionInterpretationFactory(session__event=event, session__floor_language="bg", language="en")
    response = client.post(
        url("registrations:register", "bg", slug=event.slug),
        form_data(interpretation_language="bg"),
    )
    assert response.status_code == 200
    assert (
        "Направете валиден избор. bg не е един от възможните избори." in response.content.decode()
    )
    assert not Registration.objects.exists()


def test_an_event_without_interpretation_planned_yet_offers_every_language(client, delegate, event):
    html = client.get(url("registrations:register", "en", slug=event.slug)).content.decode()
    assert [option.split(">")[1].split("<")[0] for option in options(html)] == [
        "I do not need interpretation",
        "I need interpretation into Bulgarian",
        "I need interpretation into English",
    ]


def test_editing_keeps_a_choice_made_before_interpretation_was_planned(client, delegate, event):
    registration = RegistrationFactory(
        event=event, user=VerifiedUserFactory(), interpretation_language="bg"
    )
    SessionInterpretationFactory(session__event=event, session__floor_language="bg", language="en")
    from registrations.forms import RegistrationDetailsForm

    form = RegistrationDetailsForm(instance=registration, event=event)
    assert [code for code, _label in form.fields["interpretation_language"].choices] == [
        "",
        "en",
        "bg",
    ]


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "You asked for interpretation into English."),
        ("bg", "Поискахте превод на английски."),
    ],
)
def test_the_registration_page_shows_the_choice_as_a_sentence(client, event, language, sentence):
    user = VerifiedUserFactory()
    client.force_login(user)
    registration = RegistrationFactory(event=event, user=user, interpretation_language="en")
    html = client.get(
        url("registrations:detail", language, reference=registration.reference)
    ).content.decode()
    assert f"<dd>{sentence}</dd>" in html


# The count per session and channel


def _export(event, language: str = "en") -> list[list[str]]:
    out = io.BytesIO()
    services.export_write(
        event=event,
        registrations=Registration.objects.all(),
        dataset="interpretation_channels",
        file_format="csv",
        language=language,
        out=out,
        by=None,
        via="test",
    )
    return list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))


@pytest.fixture
def booths(event):
    """A plenary in Bulgarian with English on channel 2, and a workshop with sign-up in
    English with Bulgarian on channel 1; three confirmed delegates ask for English, one for
    Bulgarian (seated in the workshop), and one waiting delegate for English."""
    hall = RoomFactory(venue=event.venue, name_en="Plenary hall", name_bg="Пленарна зала")
    plenary = SessionFactory(
        event=event,
        title_en="Opening",
        title_bg="Откриване",
        room=hall,
        floor_language="bg",
        start=sofia(event.start_date, 9),
    )
    SessionInterpretationFactory(session=plenary, language="en", channel=2)
    workshop = SessionFactory(
        event=event,
        title_en="Data workshop",
        title_bg="Работилница",
        capacity=20,
        floor_language="en",
        start=sofia(event.start_date, 11),
    )
    SessionInterpretationFactory(session=workshop, language="bg", channel=1)
    for _ in range(3):
        RegistrationFactory(event=event, interpretation_language="en")
    seated = RegistrationFactory(event=event, interpretation_language="bg")
    seated.signups.create(session=workshop, status="confirmed")
    RegistrationFactory(event=event, interpretation_language="bg")  # not in the workshop
    RegistrationFactory(event=event, interpretation_language="en", status="waitlisted")
    RegistrationFactory(interpretation_language="en")  # another event's


def test_the_export_counts_the_delegates_who_asked_per_session_and_channel(event, booths):
    assert _export(event) == [
        ["Session", "Starts", "Room", "Channel", "Interpretation into", "Delegates who asked"],
        ["Opening", "2030-05-14 09:00", "Plenary hall", "2", "English", "3"],
        ["Data workshop", "2030-05-14 11:00", "", "1", "Bulgarian", "1"],
    ]


def test_the_export_is_in_the_language_asked_for(event, booths):
    rows = _export(event, language="bg")
    assert rows[1] == ["Откриване", "2030-05-14 09:00", "Пленарна зала", "2", "английски", "3"]


def test_the_export_costs_the_same_queries_for_many_sessions(event, booths):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        _export(event)
    for hour in range(12, 18):
        SessionInterpretationFactory(
            session__event=event,
            session__floor_language="bg",
            session__start=sofia(event.start_date, hour),
            language="en",
        )
    with CaptureQueriesContext(connection) as many:
        rows = _export(event)
    assert len(rows) == 1 + 2 + 6
    assert len(many) == len(few)
