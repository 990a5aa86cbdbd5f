"""Passport data for visa letters: asked only with a visa letter, seen and exported only with
the view_passport_data permission, hidden in the history, on the letter, purged first."""

import csv
import datetime
import io

import pypdf
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation

from history.models import Entry
from registrations import documents, services
from registrations.forms import RegistrationDetailsForm
from registrations.models import ExportRecord, LetterTemplate, Registration
from tests.factories import (
    PASSPORT,
    EventFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    UserFactory,
    VerifiedUserFactory,
    details,
)

pytestmark = pytest.mark.django_db

NUMBER = PASSPORT["passport_number"]


@pytest.fixture
def event(db):
    PrivacyNoticeFactory()
    return OpenEventFactory(slug="emn-2030", title_en="Crossroads")


@pytest.fixture
def traveller(event):
    return RegistrationFactory(
        event=event,
        reference="EMN30-VISAA",
        given_name="Amara",
        family_name="Okafor",
        country="NG",
        status=Registration.Status.CONFIRMED,
        needs_visa_letter=True,
        **PASSPORT,
    )


def _staff(group: str, email: str):
    user = UserFactory(is_staff=True, email=email)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def manager(db):
    return _staff("Registration managers", "manager@example.org")


@pytest.fixture
def visa_officer(db):
    return _staff("Visa officers", "visa@example.org")


def _admin(view: str, *args) -> str:
    with translation.override("en"):
        return reverse(f"admin:{view}", args=args)


def _form_data(**overrides) -> dict:
    data = {**details(needs_visa_letter=True), **overrides}
    return {k: v for k, v in data.items() if v not in (False, None)}


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Needed for your visa letter."), ("bg", "Необходимо е за писмото Ви за виза.")],
)
def test_the_form_refuses_a_visa_letter_without_passport_data_in_the_page_language(
    event, language, message
):
    with translation.override(language):
        form = RegistrationDetailsForm(_form_data(), event=event)
        assert not form.is_valid()
        errors = {name: form.errors[name] for name in Registration.PASSPORT_FIELDS}
        assert errors == {name: [message] for name in Registration.PASSPORT_FIELDS}


def test_the_form_asks_no_passport_data_without_a_visa_letter(event):
    form = RegistrationDetailsForm(_form_data(needs_visa_letter=False), event=event)
    assert form.is_valid(), form.errors


def test_the_register_page_shows_the_passport_fieldset_with_its_hint(client, event):
    client.force_login(VerifiedUserFactory())
    with translation.override("en"):
        page = client.get(reverse("registrations:register", kwargs={"slug": event.slug}))
    html = page.content.decode()
    assert '<fieldset class="passport" aria-describedby="passport-hint">' in html
    assert "Only if you need a visa letter" in html
    assert 'name="passport_number"' in html


def test_passport_data_is_not_stored_without_a_visa_letter(event):
    user = VerifiedUserFactory()
    registration = services.registration_create(
        event=event,
        user=user,
        details=details(needs_visa_letter=False, **PASSPORT),
        privacy_accepted=True,
        by=user,
    )
    registration.refresh_from_db()
    assert [getattr(registration, name) for name in Registration.PASSPORT_FIELDS] == [
        "",
        "",
        None,
        "",
        None,
    ]


def test_unticking_the_visa_letter_clears_the_passport_data(traveller):
    services.registration_update(
        registration=traveller,
        details=details(needs_visa_letter=False, **PASSPORT),
        sessions=[],
        by=traveller.user,
    )
    traveller.refresh_from_db()
    assert (traveller.passport_number, traveller.date_of_birth) == ("", None)


def test_a_registration_manager_does_not_see_passport_data_in_the_admin(client, manager, traveller):
    client.force_login(manager)
    page = client.get(_admin("registrations_registration_change", traveller.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert NUMBER not in html
    assert 'name="passport_number"' not in html


def test_a_visa_officer_sees_passport_data_in_the_admin(client, visa_officer, traveller):
    client.force_login(visa_officer)
    page = client.get(_admin("registrations_registration_change", traveller.pk))
    assert page.status_code == 200
    assert NUMBER in page.content.decode()


def test_the_admin_search_does_not_find_a_passport_number(client, visa_officer, traveller):
    client.force_login(visa_officer)
    page = client.get(_admin("registrations_registration_changelist"), {"q": NUMBER})
    assert "EMN30-VISAA" not in page.content.decode()


def _export(client, dataset: str):
    return client.post(
        _admin("registrations_registration_export"),
        {
            "filters": "",
            "event": Registration.objects.get().event_id,
            "dataset": dataset,
            "file_format": "csv",
            "language": "en",
        },
    )


def _rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_the_visa_list_is_neither_offered_nor_made_for_a_registration_manager(
    client, manager, traveller
):
    client.force_login(manager)
    form = client.get(_admin("registrations_registration_export"))
    assert 'value="visa"' not in form.content.decode()
    response = _export(client, "visa")
    assert not isinstance(response, StreamingHttpResponse)
    assert "Select a valid choice" in response.content.decode()
    assert ExportRecord.objects.count() == 0


def test_the_visa_list_holds_the_passport_data_for_a_visa_officer(client, visa_officer, traveller):
    client.force_login(visa_officer)
    assert (
        'value="visa"' in client.get(_admin("registrations_registration_export")).content.decode()
    )
    rows = _rows(_export(client, "visa"))
    assert rows == [
        [
            "Reference",
            "Name in Latin script",
            "Organisation",
            "Country",
            "Nationality",
            "Date of birth",
            "Passport number",
            "Passport issued by",
            "Passport valid until",
            "Visa letter approved",
        ],
        [
            "EMN30-VISAA",
            "Amara Okafor",
            traveller.organisation,
            "Nigeria",
            "Bulgaria",
            "1980-02-03",
            NUMBER,
            "Bulgaria",
            "2031-05-01",
            "",
        ],
    ]
    assert ExportRecord.objects.get().dataset == "visa"


def test_the_export_service_refuses_the_visa_list_without_the_permission(manager, traveller):
    with pytest.raises(services.PermissionDenied):
        services.export_write(
            event=traveller.event,
            registrations=Registration.objects.all(),
            dataset="visa",
            file_format="csv",
            language="en",
            out=io.BytesIO(),
            by=manager,
            via="admin",
        )


def test_the_attendee_list_has_no_passport_data(client, manager, traveller):
    client.force_login(manager)
    rows = _rows(_export(client, "attendees"))
    assert "Passport number" not in rows[0]
    assert NUMBER not in str(rows)


def test_the_history_records_a_passport_change_without_its_values(traveller):
    services.registration_update(
        registration=traveller,
        details={"passport_number": "999888777"},
        sessions=[],
        by=traveller.user,
    )
    entry = Entry.objects.get(action="updated")
    assert entry.changes == {"passport_number": ["[hidden]", "[hidden]"]}
    assert NUMBER not in str(list(Entry.objects.values_list("changes", flat=True)))


def test_the_history_of_an_admin_edit_hides_the_passport_values(client, visa_officer, traveller):
    visa_officer.is_superuser = True  # to change, not only to view
    visa_officer.save()
    client.force_login(visa_officer)
    url = _admin("registrations_registration_change", traveller.pk)
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        passport_number="999888777",
        **{
            "signups-TOTAL_FORMS": "0",
            "signups-INITIAL_FORMS": "0",
            "notifications-TOTAL_FORMS": "0",
            "notifications-INITIAL_FORMS": "0",
        },
    )
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = Entry.objects.get(action="changed")
    assert entry.changes["passport_number"] == ["[hidden]", "[hidden]"]


def test_the_visa_letter_shows_the_passport_number(traveller):
    letter = LetterTemplate.objects.create(
        event=traveller.event,
        letterhead_en="Ministry of the Interior",
        place_en="Sofia",
        body_en="We invite {name}, passport {passport_number}, born {date_of_birth}.",
        signatory_name_en="X",
        signatory_position_en="Y",
    )
    pdf = documents.visa_letter_pdf(traveller, letter, "en")
    text = " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "passport 385123456, born 3 February 1980" in text


def test_the_purge_clears_the_passport_data_first():
    last = timezone.localdate() - datetime.timedelta(days=40)
    event = EventFactory(
        start_date=last,
        end_date=last,
        privacy_sensitive_days=30,
        privacy_anonymise_days=365,
    )
    registration = RegistrationFactory(event=event, needs_visa_letter=True, **PASSPORT)
    call_command("purge_personal_data", stdout=io.StringIO())
    registration.refresh_from_db()
    assert [getattr(registration, name) for name in Registration.PASSPORT_FIELDS] == [
        "",
        "",
        None,
        "",
        None,
    ]
    assert registration.given_name != ""  # the rest waits for its own date
