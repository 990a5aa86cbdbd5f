"""Retention: each event's sensitive fields are cleared N days after it ends and its
registrations anonymised after M; `purge_personal_data` applies it (daily, from Celery beat),
records counts, never values, and the admin's "still held" page shows what is left."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation

from history.models import Entry
from history.services import REMOVED
from privacy.models import PurgeRecord
from privacy.tasks import personal_data_purge
from registrations import services as registration_services
from registrations.models import ExportJob, ExportRecord, Registration
from tests.factories import (
    EventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    UserFactory,
    details,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory()


def ended(days_ago: int, **fields):
    """An event whose last day was `days_ago` days ago (30 and 365 days kept, by default)."""
    last = timezone.localdate() - datetime.timedelta(days=days_ago)
    return EventFactory(
        start_date=last - datetime.timedelta(days=1),
        end_date=last,
        privacy_sensitive_days=30,
        privacy_anonymise_days=365,
        **fields,
    )


def delegate(event, **fields) -> Registration:
    values = {
        "phone": "+359 88 765 4321",
        "dietary_requirements": "no quinces",
        "accessibility_needs": "",
        "interpretation_language": "",
        **fields,
    }
    return RegistrationFactory(event=event, **values)


def purge(*args) -> str:
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def test_the_event_has_retention_periods_from_the_settings(settings):
    settings.PRIVACY_SENSITIVE_DAYS = 14
    settings.PRIVACY_ANONYMISE_DAYS = 200
    event = EventFactory()
    assert (event.privacy_sensitive_days, event.privacy_anonymise_days) == (14, 200)


def test_an_event_cannot_anonymise_before_it_clears_the_sensitive_data():
    from django.core.exceptions import ValidationError

    event = EventFactory.build(privacy_sensitive_days=60, privacy_anonymise_days=30)
    with pytest.raises(ValidationError) as raised:
        event.validate_constraints()
    assert raised.value.messages == [
        "Registrations cannot be anonymised before their sensitive data is cleared."
    ]


def test_a_dry_run_lists_what_would_change_and_changes_nothing():
    event = ended(31, slug="emn-2030")
    delegate(event, accessibility_needs="hearing loop")
    delegate(event, phone="")
    before = list(Registration.objects.values_list("phone", "dietary_requirements"))
    due = (event.end_date + datetime.timedelta(days=30)).isoformat()
    assert purge("--dry-run") == (
        f"emn-2030, sensitive data (due {due}): would clear 2 registrations\n"
        "  phone: 1\n"
        "  dietary requirements: 2\n"
        "  accessibility needs: 1\n"
    )
    assert list(Registration.objects.values_list("phone", "dietary_requirements")) == before
    assert PurgeRecord.objects.count() == 0


def test_sensitive_fields_are_cleared_n_days_after_the_event_and_not_before():
    early = ended(29)
    kept = delegate(early)
    due = ended(30, slug="emn-2030")
    cleared = delegate(due, interpretation_language="bg")
    output = purge()
    assert output.startswith("emn-2030, sensitive data (due ")
    assert ": cleared 1 registrations\n" in output
    kept.refresh_from_db()
    cleared.refresh_from_db()
    assert (str(kept.phone), kept.dietary_requirements) == ("+359 88 765 4321", "no quinces")
    assert (
        str(cleared.phone),
        cleared.dietary_requirements,
        cleared.accessibility_needs,
        cleared.interpretation_language,
    ) == ("", "", "", "")
    # The names stay until the registrations are anonymised.
    assert cleared.given_name == "Anna"
    assert cleared.anonymised_at is None


def test_what_the_purge_did_is_recorded_as_counts_never_values():
    event = ended(31)
    delegate(event)
    delegate(event, phone="")
    purge()
    [record] = PurgeRecord.objects.all()
    assert (record.event, record.step, record.registrations) == (
        event,
        PurgeRecord.Step.SENSITIVE,
        2,
    )
    assert record.fields == {"phone": 1, "dietary_requirements": 2}


def test_the_history_loses_the_sensitive_values_too():
    event = ended(31)
    registration = registration_services.registration_create(
        event=EventFactory(
            registration_opens=timezone.now() - datetime.timedelta(days=1),
            registration_closes=timezone.now() + datetime.timedelta(days=1),
        ),
        user=UserFactory(),
        details=details(phone="+359 88 765 4321", dietary_requirements="no quinces"),
        privacy_accepted=True,
        by=None,
    )
    Registration.objects.filter(pk=registration.pk).update(event=event)
    purge()
    entry = Entry.objects.get(
        content_type=ContentType.objects.get_for_model(Registration),
        object_id=str(registration.pk),
        action="registered",
    )
    assert entry.changes["phone"] == [None, REMOVED]
    assert entry.changes["dietary_requirements"] == [None, REMOVED]
    assert entry.changes["given_name"] == [None, "Anna"]
    assert entry.changes["accessibility_needs"] == [None, ""]


def test_registrations_are_anonymised_m_days_after_the_event_keeping_the_statistics():
    event = ended(365, slug="emn-2030")
    delegate(event, country="BG", status=Status.CONFIRMED)
    delegate(event, country="BG", status=Status.CONFIRMED)
    delegate(event, country="AT", status=Status.CANCELLED)
    later = ended(364)
    kept = delegate(later)

    def statistics():
        return sorted(
            Registration.objects.filter(event=event)
            .values_list("country", "status", "role")
            .annotate(n=Count("pk"))
        )

    before = statistics()
    output = purge()
    assert "emn-2030, anonymisation (due " in output
    assert ": anonymised 3 registrations\n" in output
    assert statistics() == before
    assert set(
        Registration.objects.filter(event=event).values_list(
            "given_name", "family_name", "organisation", "user"
        )
    ) == {("—", "—", "—", None)}
    kept.refresh_from_db()
    assert kept.anonymised_at is None
    assert kept.user is not None
    anonymised = PurgeRecord.objects.get(step=PurgeRecord.Step.ANONYMISED)
    assert anonymised.registrations == 3
    assert anonymised.fields == {
        "given_name": 3,
        "family_name": 3,
        "organisation": 3,
        "user": 3,
    }
    # Anonymised by the rules, so by the system.
    assert set(Entry.objects.filter(action="anonymised").values_list("actor_name", flat=True)) == {
        ""
    }


def test_a_second_run_changes_nothing_and_records_nothing():
    event = ended(400)
    delegate(event)
    purge()
    records = PurgeRecord.objects.count()
    entries = Entry.objects.count()
    values = list(Registration.objects.values())
    assert purge() == "Nothing to purge.\n"
    assert purge("--dry-run") == "Nothing to purge.\n"
    assert PurgeRecord.objects.count() == records == 2
    assert Entry.objects.count() == entries
    assert list(Registration.objects.values()) == values


def test_the_purge_works_in_batches(settings, django_assert_max_num_queries):
    settings.PRIVACY_PURGE_BATCH = 2
    event = ended(31)
    for _ in range(5):
        delegate(event)
    purge()
    assert Registration.objects.filter(dietary_requirements="").count() == 5
    [record] = PurgeRecord.objects.all()
    assert record.fields == {"phone": 5, "dietary_requirements": 5}


def test_celery_beat_runs_the_purge_daily(settings):
    assert settings.CELERY_BEAT_SCHEDULE["personal-data-purge"] == {
        "task": "privacy.tasks.personal_data_purge",
        "schedule": 86400.0,
    }
    delegate(ended(31))
    assert personal_data_purge.delay().get() == 1
    assert PurgeRecord.objects.count() == 1


# --- what is still held -------------------------------------------------------------------------


@pytest.fixture
def manager_client(client):
    user = UserFactory(is_staff=True, email="manager@example.org")
    user.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(user)
    return client


def held_page(event, language="en") -> str:
    return url("admin:events_event_personal_data", language, pk=event.pk)


def _rows(html: str) -> dict[str, list[str]]:
    import re

    return {
        label: [count, day]
        for label, count, day in re.findall(
            r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>([^<]+)</td></tr>', html
        )
    }


def test_the_event_page_in_the_admin_links_to_what_is_still_held(manager_client):
    event = ended(10)
    html = manager_client.get(url("admin:events_event_change", object_id=event.pk)).content.decode()
    assert f'<a href="{held_page(event)}">What personal data is still held</a>' in html


def test_staff_set_an_events_retention_periods_in_the_admin(admin_client):
    event = ended(10)
    html = admin_client.get(url("admin:events_event_change", object_id=event.pk)).content.decode()
    assert '<h2 id="fieldset-0-5-heading" class="fieldset-heading">Personal data</h2>' in html
    assert 'name="privacy_sensitive_days" value="30"' in html
    assert 'name="privacy_anonymise_days" value="365"' in html


def test_the_still_held_page_counts_each_kind_and_says_when_it_goes(manager_client):
    event = ended(10)
    delegate(event, accessibility_needs="hearing loop")
    delegate(event, phone="")
    ExportRecord.objects.create(
        via="admin", event=event, dataset="catering", format="xlsx", language="en", rows=2
    )
    response = manager_client.get(held_page(event))
    assert response.status_code == 200
    html = response.content.decode()
    sensitive_on = (event.end_date + datetime.timedelta(days=30)).strftime("%b. %d, %Y")
    anonymise_on = (event.end_date + datetime.timedelta(days=365)).strftime("%b. %d, %Y")
    rows = _rows(html)
    assert rows["Phone"][0] == "1"
    assert rows["Dietary requirements"][0] == "2"
    assert rows["Accessibility needs"][0] == "1"
    assert rows["Interpretation into"][0] == "0"
    assert rows["Given name"][0] == "2"
    assert rows["Account"][0] == "2"
    assert rows["Phone"][1].replace(" 0", " ") == sensitive_on.replace(" 0", " ")
    assert rows["Given name"][1].replace(" 0", " ") == anonymise_on.replace(" 0", " ")
    assert "Catering (dietary requirements)" in html
    assert "No personal data is held any more." not in html


def test_after_the_purge_the_still_held_page_shows_zero(manager_client):
    event = ended(400)
    delegate(event, accessibility_needs="hearing loop")
    delegate(event)
    purge()
    html = manager_client.get(held_page(event)).content.decode()
    assert {label: row[0] for label, row in _rows(html).items()} == {
        label: "0"
        for label in [
            "Passport number",
            "Passport issued by",
            "Passport valid until",
            "Nationality",
            "Date of birth",
            "Phone",
            "Dietary requirements",
            "Accessibility needs",
            "Interpretation into",
            "Honorific",
            "Given name",
            "Family name",
            "Given name in Latin script",
            "Family name in Latin script",
            "Position",
            "Organisation",
            "Account",
        ]
    }
    assert "No personal data is held any more." in html
    assert "2 registrations, 2 of them anonymised." in html


def test_the_still_held_page_lists_export_files_still_kept(manager_client):
    event = ended(10)
    ExportJob.objects.create(
        via="admin",
        event=event,
        kind=ExportJob.Kind.LIST,
        dataset="attendees",
        format="csv",
        language="en",
        status=ExportJob.Status.DONE,
        filename="emn-attendees.csv",
        expires_at=timezone.now() + datetime.timedelta(hours=3),
    )
    html = manager_client.get(held_page(event)).content.decode()
    assert '<th scope="row">emn-attendees.csv</th>' in html


def test_the_still_held_page_is_in_bulgarian_too(manager_client):
    event = ended(10)
    delegate(event)
    html = manager_client.get(held_page(event, "bg")).content.decode()
    assert "<h2>Регистрации, които съдържат всеки вид лични данни</h2>" in html
    assert "Телефон" in html


def test_the_still_held_page_costs_the_same_queries_however_many_registrations(
    manager_client,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = ended(10)
    delegate(event)
    manager_client.get(held_page(event))  # warms the session and content types
    with CaptureQueriesContext(connection) as one:
        manager_client.get(held_page(event))
    for _ in range(20):
        delegate(event)
    with CaptureQueriesContext(connection) as many:
        manager_client.get(held_page(event))
    assert len(many) == len(one)


def test_agenda_editors_may_not_see_what_is_held(client, agenda_editor):
    client.force_login(agenda_editor)
    assert client.get(held_page(ended(10))).status_code == 403
