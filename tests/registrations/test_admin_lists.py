"""The registration list's filters, the export form and the export log, through the real
admin pages, in both languages."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from registrations.models import ExportJob, ExportRecord
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def admin_url(view: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"admin:{view}", args=args)


@pytest.fixture
def manager(client):
    user = UserFactory(is_staff=True, email="manager@example.org")
    user.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(user)
    return user


@pytest.fixture
def event(db):
    return OpenEventFactory(title_en="Crossroads", title_bg="Кръстопът")


def filter_section(html: str, title: str) -> str:
    """The sidebar filter whose title is `title`."""
    match = re.search(rf'<details data-filter-title="{title}" open>(.*?)</details>', html, re.S)
    assert match, f"no filter {title!r}"
    return match.group(1)


def options(section: str) -> list[str]:
    """What a filter offers, links or a drop-down's options, without its "All"."""
    found = re.findall(r'<a href="[^"]*">([^<]*)</a>', section) or re.findall(
        r"<option [^>]*>([^<]*)</option>", section
    )
    return found[1:]


# --- countries, delegations, sessions: only what is there ---------------------------------


@pytest.mark.parametrize(
    ("language", "title", "expected"),
    [("en", "country", ["Austria", "Croatia"]), ("bg", "държава", ["Австрия", "Хърватия"])],
)
def test_country_filter_offers_only_countries_registered(
    client, manager, event, language, title, expected
):
    RegistrationFactory(event=event, country="HR")
    RegistrationFactory(event=event, country="AT")
    RegistrationFactory(event=event, country="AT")
    html = client.get(
        admin_url("registrations_registration_changelist", language=language)
    ).content.decode()
    assert options(filter_section(html, title)) == expected


def test_country_filter_follows_the_event_filter(client, manager, event):
    RegistrationFactory(event=event, country="AT")
    RegistrationFactory(event=OpenEventFactory(), country="BG")
    url = admin_url("registrations_registration_changelist")
    assert options(filter_section(client.get(url).content.decode(), "country")) == [
        "Austria",
        "Bulgaria",
    ]
    html = client.get(url, {"event__id__exact": event.pk}).content.decode()
    assert options(filter_section(html, "country")) == ["Austria"]


def test_a_long_country_filter_is_one_drop_down_that_keeps_the_other_filters(
    client, manager, event
):
    codes = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR"]
    for code in codes:
        RegistrationFactory(event=event, country=code)
    url = admin_url("registrations_registration_changelist")
    html = client.get(url, {"event__id__exact": event.pk, "status__exact": "confirmed"})
    section = filter_section(html.content.decode(), "country")
    assert "<a href" not in section
    assert '<select name="country" aria-label="Country">' in section
    assert options(section)[:3] == ["Austria", "Belgium", "Bulgaria"]
    assert len(options(section)) == 13
    assert f'<input type="hidden" name="event__id__exact" value="{event.pk}">' in section
    assert '<input type="hidden" name="status__exact" value="confirmed">' in section
    assert '<input type="submit" value="Filter">' in section
    # What the form sends filters the list.
    chosen = client.get(
        url, {"event__id__exact": event.pk, "status__exact": "confirmed", "country": "HR"}
    ).content.decode()
    assert '<option value="HR" selected>Croatia</option>' in chosen
    assert chosen.count('class="action-select"') == 1


def test_the_sidebar_stays_short_with_every_country_of_the_world(client, manager, event):
    # The old filter listed ~250 countries whatever the registrations.
    RegistrationFactory(event=event, country="AT")
    html = client.get(admin_url("registrations_registration_changelist")).content.decode()
    assert html.count("?country=") == 1


def test_delegation_filter_offers_only_delegations_of_the_filtered_event(client, manager, event):
    austria = DelegationFactory(event=event, name_en="IOM Austria", name_bg="МОМ Австрия")
    DelegationFactory(event=event, name_en="Nobody yet")
    other = OpenEventFactory()
    croatia = DelegationFactory(event=other, name_en="IOM Croatia", name_bg="МОМ Хърватия")
    RegistrationFactory(event=event, delegation=austria)
    RegistrationFactory(event=other, delegation=croatia)
    url = admin_url("registrations_registration_changelist")
    assert options(filter_section(client.get(url).content.decode(), "delegation")) == [
        "IOM Austria",
        "IOM Croatia",
    ]
    html = client.get(url, {"event__id__exact": event.pk}).content.decode()
    assert options(filter_section(html, "delegation")) == ["IOM Austria"]
    bulgarian = client.get(
        admin_url("registrations_registration_changelist", language="bg"),
        {"event__id__exact": event.pk},
    ).content.decode()
    assert options(filter_section(bulgarian, "делегация")) == ["МОМ Австрия"]
    chosen = client.get(url, {"delegation__id__exact": croatia.pk}).content.decode()
    assert chosen.count('class="action-select"') == 1


@pytest.mark.parametrize(
    ("language", "title", "expected"),
    [
        ("en", "session", ["Secondary movements", "Вход на пазара на труда"]),
        ("bg", "сесия", ["Вторични движения", "Вход на пазара на труда"]),
    ],
)
def test_session_filter_shows_titles_in_the_pages_language(
    client, manager, event, language, title, expected
):
    workshop = SessionFactory(
        event=event, capacity=5, title_en="Secondary movements", title_bg="Вторични движения"
    )
    # Typed in Bulgarian only: shown in Bulgarian on the English page too.
    labour = SessionFactory(
        event=event,
        capacity=5,
        title_en="",
        title_bg="Вход на пазара на труда",
        start=workshop.start + (workshop.end - workshop.start),
        end=workshop.end + (workshop.end - workshop.start),
    )
    SessionFactory(event=event, capacity=5, title_en="Nobody signed up")
    for session in (workshop, labour):
        RegistrationFactory(event=event).signups.create(session=session, status="confirmed")
    html = client.get(
        admin_url("registrations_registration_changelist", language=language)
    ).content.decode()
    assert options(filter_section(html, title)) == expected


# --- the export form ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "Event: Crossroads",
                "Status: Confirmed",
                "Country: Bulgaria",
                "Session: Secondary movements",
                "Search: Huber",
            ],
        ),
        (
            "bg",
            [
                "Събитие: Кръстопът",
                "Статус: Потвърдена",
                "Държава: България",
                "Сесия: Вторични движения",
                "Търсене: Huber",
            ],
        ),
    ],
)
def test_export_form_describes_the_lists_filters_in_words(
    client, manager, event, language, expected
):
    workshop = SessionFactory(
        event=event, capacity=5, title_en="Secondary movements", title_bg="Вторични движения"
    )
    registration = RegistrationFactory(event=event, country="BG", family_name="Huber")
    registration.signups.create(session=workshop, status="confirmed")
    listing = admin_url("registrations_registration_changelist", language=language)
    query = (
        f"event__id__exact={event.pk}&status__exact=confirmed&country=BG"
        f"&session={workshop.pk}&q=Huber"
    )
    # The list's own link to the export form, as a member of staff follows it.
    html = client.get(f"{listing}?{query}").content.decode()
    link = re.search(r'<a href="(export/\?[^"]*)">', html).group(1).replace("&amp;", "&")
    page = client.get(listing + link).content.decode()
    described = re.findall(r"<li>([^<]*)</li>", page.split('<div id="content-main">')[1])
    assert described[: len(expected)] == expected
    assert "__exact" not in page.split('<div id="content-main">')[1].split("<form")[0]


def test_export_form_preselects_the_event_the_list_is_filtered_by(client, manager, event):
    OpenEventFactory(title_en="Another")
    listing = admin_url("registrations_registration_changelist")
    html = client.get(listing, {"event__id__exact": event.pk}).content.decode()
    link = re.search(r'<a href="(export/\?[^"]*)">', html).group(1).replace("&amp;", "&")
    page = client.get(listing + link).content.decode()
    assert f'<option value="{event.pk}" selected>Crossroads</option>' in page


def test_export_form_preselects_an_event_given_as_event(client, manager, event):
    OpenEventFactory(title_en="Another")
    page = client.get(
        admin_url("registrations_registration_export"), {"event": event.pk}
    ).content.decode()
    assert f'<option value="{event.pk}" selected>Crossroads</option>' in page
    assert "<li>Event: Crossroads</li>" in page


# --- the export log -----------------------------------------------------------------------


@pytest.fixture
def records(event, manager):
    return [
        ExportRecord.objects.create(
            user=manager,
            via="admin",
            event=event,
            dataset="badges",
            format="pdf",
            language="bg",
            rows=3,
        ),
        ExportRecord.objects.create(
            via="command", event=event, dataset="attendees", format="xlsx", language="en", rows=2
        ),
    ]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Admin", "Badges", "PDF", "Command line", "Attendee list", "Excel (XLSX)"]),
        (
            "bg",
            [
                "Административен панел",
                "Баджове",
                "PDF",
                "Команден ред",
                "Списък на участниците",
                "Excel (XLSX)",
            ],
        ),
    ],
)
def test_export_log_says_in_words_how_what_and_in_which_format(
    client, manager, records, language, words
):
    html = client.get(
        admin_url("registrations_exportrecord_changelist", language=language)
    ).content.decode()
    for word in words:
        assert f">{word}</td>" in html, word
    for code in ("badges", "attendees", "admin", "command", "pdf", "xlsx"):
        assert f">{code}</td>" not in html, code
        assert f">{code}</a></li>" not in html, code  # the sidebar's filters too
    detail = client.get(
        admin_url("registrations_exportrecord_change", records[0].pk, language=language)
    ).content.decode()
    for word in words[:3]:
        assert f'<div class="readonly">{word}</div>' in detail, word


def test_export_log_filters_by_list(client, manager, records):
    html = client.get(
        admin_url("registrations_exportrecord_changelist"), {"dataset": "badges"}
    ).content.decode()
    assert ">Badges</td>" in html
    assert ">Attendee list</td>" not in html


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ["Badges", "PDF"]), ("bg", ["Баджове", "PDF"])],
)
def test_background_exports_say_the_list_in_words(client, manager, event, language, words):
    ExportJob.objects.create(
        requested_by=manager,
        via="admin",
        event=event,
        kind=ExportJob.Kind.BADGES,
        dataset="badges",
        format="pdf",
        language="bg",
    )
    html = client.get(
        admin_url("registrations_exportjob_changelist", language=language)
    ).content.decode()
    assert f'<td class="field-dataset_label">{words[0]}</td>' in html
    assert f'<td class="field-format_label">{words[1]}</td>' in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Registered at: May 2030"), ("bg", "Регистриран(а) на: май 2030")],
)
def test_export_form_describes_the_date_chosen_in_the_list(
    client, manager, event, language, expected
):
    page = client.get(
        admin_url("registrations_registration_export", language=language),
        {"created_at__year": "2030", "created_at__month": "5"},
    ).content.decode()
    assert f"<li>{expected}</li>" in page


def test_delegation_list_offers_only_countries_of_its_delegations(client, manager, event):
    DelegationFactory(event=event, country="AT")
    DelegationFactory(event=event, country="", organisation=OrganisationFactory())
    DelegationFactory(event=OpenEventFactory(), country="HR")
    url = admin_url("registrations_delegation_changelist")
    assert options(filter_section(client.get(url).content.decode(), "country")) == [
        "Austria",
        "Croatia",
    ]
    html = client.get(url, {"event__id__exact": event.pk}).content.decode()
    assert options(filter_section(html, "country")) == ["Austria"]
