"""Visa letters a consulate accepts: the passport's facts on the letter, approval only with
them, and a verification page that says whether a letter is genuine and current."""

import datetime
import io
import re

import pypdf
import pypdfium2
import pytest
import zxingcpp
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from registrations import documents, services
from registrations.models import IssuedDocument, Notification, Registration
from tests.factories import (
    EventFactory,
    IssuedDocumentFactory,
    LetterTemplateFactory,
    OpenEventFactory,
    UserFactory,
    VisaRegistrationFactory,
    details,
)

pytestmark = pytest.mark.django_db

SITE = "https://conference.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def _text(pdf: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def _qr_codes(pdf: bytes) -> list[str]:
    found = []
    for page in pypdfium2.PdfDocument(pdf):
        image = page.render(scale=4).to_pil()
        found += [result.text for result in zxingcpp.read_barcodes(image)]
    return found


@pytest.fixture
def event(db):
    return OpenEventFactory(title_en="Crossroads of Migration", title_bg="Пътища на миграцията")


@pytest.fixture
def letter(event):
    return LetterTemplateFactory(event=event)


@pytest.fixture
def olena(event, letter):
    return VisaRegistrationFactory(
        event=event, reference="EMN30-VISA7", organisation="IOM Ukraine", language="en"
    )


def _url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def _issued(registration: Registration) -> IssuedDocument:
    return registration.issued_documents.get(kind=IssuedDocument.Kind.VISA_LETTER)


def _verify_path(document: IssuedDocument, language: str = "en") -> str:
    return _url("registrations:verify", language, token=document.token)


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


# --- the letter -----------------------------------------------------------------------------


def test_the_letter_gives_the_passport_the_stay_the_costs_and_the_verification_url(olena):
    services.visa_letter_approve(registration=olena, by=None)
    document = _issued(olena)
    letter = olena.event.letter_template
    pdf = documents.visa_letter_pdf(olena, letter, "en", document=document)
    text = _text(pdf)
    for expected in (
        "Ministry of the Interior 29 Shesti Septemvri Str., 1000 Sofia",
        "We are pleased to invite Olena Kovalenko, IOM Ukraine",
        "Family name (as in the passport) Kovalenko",
        "Given names (as in the passport) Olena",
        "Date of birth 9 July 1984",
        "Nationality Ukraine",
        "Passport number FE123456",
        "Passport issued by Ukraine",
        "Passport valid until 1 May 2035",
        "Purpose of the visit Taking part in the conference “Crossroads of Migration”",
        "Dates of stay 13–16 May 2030",
        "Costs Travel and accommodation are paid by the participant.",
        "Maria Ivanova Head of the EMN National Contact Point",
        f"{SITE}/en/verify/{document.token}/",
    ):
        assert expected in text
    assert "Коваленко" not in text  # the passport's spelling, not the one in Cyrillic
    assert "Preview" not in text
    assert _qr_codes(pdf) == [f"{SITE}/en/verify/{document.token}/"]


def test_the_bulgarian_letter_is_in_bulgarian_with_the_latin_name(olena):
    services.visa_letter_approve(registration=olena, by=None)
    document = _issued(olena)
    text = _text(
        documents.visa_letter_pdf(olena, olena.event.letter_template, "bg", document=document)
    )
    assert (
        "Имаме удоволствието да поканим Olena Kovalenko, IOM Ukraine, на Пътища на миграцията"
        in text
    )
    assert "Фамилия (както в паспорта) Kovalenko" in text
    assert "Номер на паспорта FE123456" in text
    assert "Мария Иванова Ръководител на националната точка за контакт към ЕММ" in text
    assert f"{SITE}/bg/verify/{document.token}/" in text


def test_a_letter_not_yet_approved_is_a_preview_without_a_verification_code(olena):
    text = _text(documents.visa_letter_pdf(olena, olena.event.letter_template, "en"))
    assert "Preview: not valid. The verification code is added on approval." in text
    assert "/verify/" not in text


def test_the_letter_prints_the_organisers_logo(olena, letter, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    png = io.BytesIO()
    Image.new("RGB", (400, 200), "#1D4F91").save(png, "PNG")
    letter.logo.save("logo.png", ContentFile(png.getvalue()))
    pdf = documents.visa_letter_pdf(olena, letter, "en")
    [page, *_rest] = pypdf.PdfReader(io.BytesIO(pdf)).pages
    assert len(page.images) == 1


# --- approving ------------------------------------------------------------------------------


def test_approval_is_refused_without_the_passport_details(olena):
    olena.passport_number = ""
    olena.date_of_birth = None
    olena.save()
    with pytest.raises(ValidationError) as info:
        services.visa_letter_approve(registration=olena, by=None)
    assert info.value.messages == [
        "EMN30-VISA7: passport details missing (passport number, date of birth)."
    ]
    olena.refresh_from_db()
    assert olena.visa_letter_approved_at is None
    assert not olena.issued_documents.exists()
    assert not olena.notifications.exists()


def test_approval_is_refused_for_a_passport_expiring_during_the_stay(olena):
    olena.passport_expiry = datetime.date(2030, 5, 15)  # the stay ends on 16 May
    olena.save()
    with pytest.raises(ValidationError, match="the passport expires before the end of the stay"):
        services.visa_letter_approve(registration=olena, by=None)
    assert not olena.issued_documents.exists()


def test_sending_an_approved_letter_again_keeps_its_verification_address(olena):
    services.visa_letter_approve(registration=olena, by=None)
    token = _issued(olena).token
    services.visa_letter_approve(registration=olena, by=None)
    assert list(olena.issued_documents.values_list("token", flat=True)) == [token]
    assert olena.notifications.filter(kind=Notification.Kind.VISA_LETTER).count() == 2


def test_a_letter_withdrawn_before_it_is_sent_is_not_sent(
    olena, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as sending:
        services.visa_letter_approve(registration=olena, by=None)
        services.registration_cancel(registration=olena, by=olena.user)
    for send in sending:
        send()
    letter = olena.notifications.get(kind=Notification.Kind.VISA_LETTER)
    assert letter.status == Notification.Status.FAILED
    assert [message.subject for message in mailoutbox] == [
        "Your registration for Crossroads of Migration is cancelled (EMN30-VISA7)"
    ]


def test_the_token_is_long_and_random(olena):
    services.visa_letter_approve(registration=olena, by=None)
    token = _issued(olena).token
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)  # 128 random bits


# --- the verification page ------------------------------------------------------------------


def test_the_verification_page_says_valid_then_withdrawn_once_the_letter_is_withdrawn(
    client, olena
):
    services.visa_letter_approve(registration=olena, by=None)
    document = _issued(olena)
    response = client.get(_verify_path(document))
    assert response.status_code == 200
    main = _main(response)
    assert "Genuine and valid: issued by the organisers and not withdrawn." in main
    assert "<dd>Olena Kovalenko</dd>" in main
    assert "<dd>…3456</dd>" in main
    assert "<dd>Crossroads of Migration</dd>" in main
    assert "<dd>14–15 May 2030</dd>" in main
    assert "<dd>13–16 May 2030</dd>" in main
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"

    # The delegate changes their name: the approval, and the letter, are withdrawn.
    services.registration_update(
        registration=olena,
        details=details(
            given_name="Olena",
            family_name="Kovalenko-Shevchenko",
            country="UA",
            needs_visa_letter=True,
            passport_number="FE123456",
            passport_country="UA",
            passport_expiry=datetime.date(2035, 5, 1),
            nationality="UA",
            date_of_birth=datetime.date(1984, 7, 9),
        ),
        sessions=[],
        by=olena.user,
    )
    response = client.get(_verify_path(document))
    assert response.status_code == 200
    main = _main(response)
    assert "Withdrawn: this document is no longer valid." in main
    assert "Genuine and valid" not in main
    assert "Kovalenko" not in main
    assert "3456" not in main


def test_a_new_approval_issues_a_new_address_and_the_old_one_stays_withdrawn(client, olena):
    services.visa_letter_approve(registration=olena, by=None)
    old = _issued(olena)
    services.registration_cancel(registration=olena, by=olena.user)
    old.refresh_from_db()
    assert old.withdrawn_at is not None
    olena.refresh_from_db()
    assert olena.visa_letter_approved_at is None
    assert "Withdrawn" in _main(client.get(_verify_path(old)))


def test_cancelling_withdraws_the_letter(client, olena):
    services.visa_letter_approve(registration=olena, by=None)
    document = _issued(olena)
    services.registration_cancel(registration=olena, by=olena.user)
    assert "Withdrawn: this document is no longer valid." in _main(
        client.get(_verify_path(document))
    )


def test_anonymising_withdraws_the_letter(client, olena):
    services.visa_letter_approve(registration=olena, by=None)
    document = _issued(olena)
    services.registration_anonymise(registration=olena, by=None)
    document.refresh_from_db()
    assert document.withdrawn_at is not None


def test_purging_the_passport_data_withdraws_the_letter():
    last = timezone.localdate() - datetime.timedelta(days=40)
    event = EventFactory(start_date=last, end_date=last, privacy_sensitive_days=30)
    document = IssuedDocumentFactory(registration__event=event)
    call_command("purge_personal_data", stdout=io.StringIO())
    document.refresh_from_db()
    assert document.withdrawn_at is not None


def test_an_invented_token_gives_a_not_found_page(client, olena):
    services.visa_letter_approve(registration=olena, by=None)
    response = client.get(_url("registrations:verify", token="AAAAAAAAAAAAAAAAAAAAAA"))
    assert response.status_code == 404
    main = _main(response)
    assert "<h1>Document not found</h1>" in main
    assert "No document was issued with this verification address." in main


def test_the_verification_page_shows_nothing_beyond_the_name_and_the_last_digits(client, olena):
    olena.honorific = "Ms."
    olena.position = "Programme officer"
    olena.phone = "+380441234567"
    olena.dietary_requirements = "vegetarian"
    olena.save()
    services.visa_letter_approve(registration=olena, by=None)
    html = client.get(_verify_path(_issued(olena))).content.decode()
    for private in (
        "FE123456",
        "FE12",
        "Олена",
        "Коваленко",
        "1984",
        "Ukraine",
        "IOM Ukraine",
        "Programme officer",
        "Ms.",
        "380",
        "vegetarian",
        olena.user.email,
        olena.reference,
    ):
        assert private not in html


def test_the_verification_page_speaks_bulgarian(client, olena):
    services.visa_letter_approve(registration=olena, by=None)
    document = _issued(olena)
    main = _main(client.get(_verify_path(document, "bg")))
    assert "<h1>Проверка на документ</h1>" in main
    assert "Истински и валиден: издаден от организаторите и не е оттеглен." in main
    assert "<dd>Пътища на миграцията</dd>" in main
    assert "<dd>14–15 май 2030</dd>" in main
    services.registration_cancel(registration=olena, by=olena.user)
    main = _main(client.get(_verify_path(document, "bg")))
    assert "Оттеглен: този документ вече не е валиден." in main
    not_found = client.get(_url("registrations:verify", "bg", token="x" * 22))
    assert "<h1>Документът не е намерен</h1>" in _main(not_found)


# --- the admin ------------------------------------------------------------------------------


@pytest.fixture
def visa_officer(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Visa officers"))
    client.force_login(user)
    return user


@pytest.fixture
def manager(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(user)
    return user


def _admin(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(f"admin:{name}", args=args)


def test_a_visa_officer_previews_the_letter_from_the_registration_page(client, visa_officer, olena):
    html = client.get(_admin("registrations_registration_change", olena.pk)).content.decode()
    preview = _admin("registrations_registration_visa_letter_preview", olena.pk)
    assert f'<a href="{preview}?language=bg" hreflang="bg">Bulgarian</a>' in html
    assert f'<a href="{preview}?language=en" hreflang="en">English</a>' in html
    approve = _admin("registrations_registration_visa_letter_approve", olena.pk)
    assert f'<a href="{approve}">Approve the visa letter…</a>' in html

    response = client.get(f"{preview}?language=bg")
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = _text(response.content)
    assert "Номер на паспорта FE123456" in text
    assert "Преглед: не е валидно." in text


def test_a_visa_officer_approves_one_letter_after_the_confirmation_page(
    client, visa_officer, olena, django_capture_on_commit_callbacks, mailoutbox
):
    approve = _admin("registrations_registration_visa_letter_approve", olena.pk)
    html = client.get(approve).content.decode()
    assert "1 registration will be changed" in html
    assert '<th scope="row">EMN30-VISA7</th>' in html
    change = _admin("registrations_registration_change", olena.pk)
    assert f'<a href="{change}" class="button cancel-link">No, take me back</a>' in html
    olena.refresh_from_db()
    assert olena.visa_letter_approved_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve, {"post": "yes"})
    assert response.status_code == 302
    assert response["Location"] == change
    document = _issued(olena)
    assert document.issued_by == visa_officer
    [message] = mailoutbox
    [(_name, pdf, _type)] = message.attachments
    assert f"{SITE}/en/verify/{document.token}/" in _text(pdf)
    html = client.get(change).content.decode()
    assert f'<a href="/en/verify/{document.token}/">Its verification page</a>' in html


def test_a_registration_manager_neither_previews_nor_approves_letters(client, manager, olena):
    html = client.get(_admin("registrations_registration_changelist")).content.decode()
    assert "approve_visa_letters" not in html
    preview = _admin("registrations_registration_visa_letter_preview", olena.pk)
    assert client.get(preview).status_code == 403
    approve = _admin("registrations_registration_visa_letter_approve", olena.pk)
    assert client.post(approve, {"post": "yes"}).status_code == 403
    olena.refresh_from_db()
    assert olena.visa_letter_approved_at is None
