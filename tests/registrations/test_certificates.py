"""Certificates of attendance: for delegates checked in at the door on a day of the event,
bilingual, with the days attended and a verification address; from the registration page
or in bulk from the admin."""

import datetime
import io

import pypdf
import pypdfium2
import pytest
import zxingcpp
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from history.models import Entry
from registrations import services
from registrations.models import CheckIn, ExportRecord, IssuedDocument, Registration
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    sofia,
)

pytestmark = pytest.mark.django_db

SITE = "https://conference.example.org"
FIRST, SECOND, LAST = (
    datetime.date(2025, 5, 14),
    datetime.date(2025, 5, 15),
    datetime.date(2025, 5, 16),
)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def event(db):
    event = EventFactory(
        slug="crossroads",
        title_en="Crossroads of Migration",
        title_bg="Пътища на миграцията",
        start_date=FIRST,
        end_date=LAST,
    )
    event.organisers.add(
        OrganisationFactory(
            name_en="Ministry of the Interior", name_bg="Министерство на вътрешните работи"
        )
    )
    return event


@pytest.fixture
def radoslav(event):
    return RegistrationFactory(
        event=event,
        reference="EMN30-CERT1",
        given_name="Радослав",
        family_name="Стаменков",
        given_name_latin="Radoslav",
        family_name_latin="Stamenkov",
        organisation="IOM Bulgaria",
        language="en",
    )


def check_in(registration: Registration, day: datetime.date, hour: int = 9) -> str:
    return services.checkin_record(
        event=registration.event,
        code=registration.reference,
        by=None,
        via=CheckIn.Via.TYPED,
        scanned_at=sofia(day, hour),
    ).outcome


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def text(pdf: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def qr_codes(pdf: bytes) -> list[str]:
    found = []
    for page in pypdfium2.PdfDocument(pdf):
        image = page.render(scale=3).to_pil()
        found += [result.text for result in zxingcpp.read_barcodes(image)]
    return found


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def certificate(registration: Registration) -> IssuedDocument:
    return registration.issued_documents.get(kind=IssuedDocument.Kind.CERTIFICATE)


# --- the rule -------------------------------------------------------------------------------


def test_a_delegate_checked_in_on_a_day_of_the_event_gets_a_certificate(radoslav):
    assert not radoslav.can_get_certificate()
    check_in(radoslav, SECOND)
    assert radoslav.can_get_certificate()


def test_a_check_in_before_the_event_does_not_count(radoslav):
    check_in(radoslav, FIRST - datetime.timedelta(days=1))  # badges collected the day before
    assert not radoslav.can_get_certificate()
    with pytest.raises(Exception, match="was not checked in at the event"):
        services.certificate_issue(registration=radoslav, by=None)
    assert not IssuedDocument.objects.exists()


def test_a_check_in_at_a_session_alone_does_not_count(radoslav):
    CheckIn.objects.create(
        registration=radoslav,
        session=SessionFactory(event=radoslav.event, capacity=10, start=sofia(SECOND, 10)),
        day=SECOND,
        scanned_at=sofia(SECOND, 10),
    )
    assert not radoslav.can_get_certificate()


def test_a_cancelled_registration_gets_no_certificate(radoslav):
    check_in(radoslav, FIRST)
    Registration.objects.filter(pk=radoslav.pk).update(status=Registration.Status.CANCELLED)
    radoslav.refresh_from_db()
    assert not radoslav.can_get_certificate()


# --- the delegate's download ----------------------------------------------------------------


def test_a_checked_in_delegate_downloads_a_certificate_with_the_days_and_verification_url(
    client, radoslav
):
    check_in(radoslav, FIRST)
    assert check_in(radoslav, FIRST, hour=14) == "already"  # the same day counts once
    check_in(radoslav, LAST)
    client.force_login(radoslav.user)

    page = client.get(url("registrations:detail", reference=radoslav.reference))
    link = url("registrations:certificate", reference=radoslav.reference)
    assert f'<a href="{link}" download>Certificate of attendance (PDF)</a>' in page.content.decode()

    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="certificate-EMN30-CERT1.pdf"'
    document = certificate(radoslav)
    verify = f"{SITE}/en/verify/{document.token}/"
    pdf_text = text(response.content)
    for expected in [
        "CERTIFICATE OF ATTENDANCE",
        "This is to certify that Radoslav Stamenkov",
        "attended the conference Crossroads of Migration",
        "14–16 May 2025",
        "Days attended: 14 May 2025, 16 May 2025",
        "Ministry of the Interior",
        # the other language: the name as registered, in Cyrillic
        "УДОСТОВЕРЕНИЕ ЗА УЧАСТИЕ",
        "Радослав Стаменков",
        "Пътища на миграцията",
        "Дни на участие: 14 май 2025, 16 май 2025",
        verify,
    ]:
        assert expected in pdf_text
    # The delegate's language first.
    assert pdf_text.index("CERTIFICATE OF ATTENDANCE") < pdf_text.index("УДОСТОВЕРЕНИЕ")
    assert qr_codes(response.content) == [verify]

    # Issued once: downloaded again, the same address.
    client.get(link)
    assert IssuedDocument.objects.get().token == document.token
    assert list(
        Entry.objects.filter(action="certificate_issued").values_list("object_id", flat=True)
    ) == [str(radoslav.pk)]


def test_a_bulgarian_delegate_s_certificate_is_in_bulgarian_first(client, radoslav):
    Registration.objects.filter(pk=radoslav.pk).update(language="bg")
    radoslav.refresh_from_db()
    check_in(radoslav, SECOND)
    client.force_login(radoslav.user)
    response = client.get(url("registrations:certificate", "bg", reference=radoslav.reference))
    pdf_text = text(response.content)
    assert pdf_text.index("УДОСТОВЕРЕНИЕ ЗА УЧАСТИЕ") < pdf_text.index("CERTIFICATE OF ATTENDANCE")
    assert f"{SITE}/bg/verify/{certificate(radoslav).token}/" in pdf_text


def test_a_delegate_not_checked_in_sees_no_link_and_gets_no_certificate(client, radoslav):
    client.force_login(radoslav.user)
    page = client.get(url("registrations:detail", reference=radoslav.reference))
    assert "Certificate of attendance" not in page.content.decode()
    response = client.get(url("registrations:certificate", reference=radoslav.reference))
    assert response.status_code == 404
    assert not IssuedDocument.objects.exists()


def test_nobody_else_downloads_a_delegate_s_certificate(client, radoslav):
    check_in(radoslav, FIRST)
    client.force_login(UserFactory())
    response = client.get(url("registrations:certificate", reference=radoslav.reference))
    assert response.status_code == 404
    assert not IssuedDocument.objects.exists()


# --- the verification page ------------------------------------------------------------------


def test_the_verification_page_says_certificate_for_whom_which_event_and_days(client, radoslav):
    check_in(radoslav, FIRST)
    check_in(radoslav, SECOND)
    document = services.certificate_issue(registration=radoslav, by=None)
    response = client.get(url("registrations:verify", token=document.token))
    assert response.status_code == 200
    page = main(response)
    assert "Genuine and valid: issued by the organisers and not withdrawn." in page
    assert "<dd>Certificate of attendance</dd>" in page
    assert "<dt>Issued to</dt>" in page
    assert "<dd>Радослав Стаменков</dd>" in page
    assert "<dd>Crossroads of Migration</dd>" in page
    assert "<dd>14–16 May 2025</dd>" in page
    assert "<dd>14 May 2025, 15 May 2025</dd>" in page
    assert "passport" not in page.lower()


def test_the_verification_page_speaks_bulgarian(client, radoslav):
    check_in(radoslav, FIRST)
    document = services.certificate_issue(registration=radoslav, by=None)
    page = main(client.get(url("registrations:verify", "bg", token=document.token)))
    assert "<dd>Удостоверение за участие</dd>" in page
    assert "<dt>Дни на участие</dt>" in page
    assert "<dd>Пътища на миграцията</dd>" in page


def test_anonymising_withdraws_the_certificate(client, radoslav):
    check_in(radoslav, FIRST)
    document = services.certificate_issue(registration=radoslav, by=None)
    services.registration_anonymise(registration=radoslav, by=None)
    page = main(client.get(url("registrations:verify", token=document.token)))
    assert "Withdrawn: this document is no longer valid." in page
    assert "Stamenkov" not in page and "Стаменков" not in page
    # Nor is a new one issued to the anonymised registration: it would name nobody.
    radoslav.refresh_from_db()
    assert not radoslav.can_get_certificate()
    assert (
        services.certificates_print(
            registrations=Registration.objects.filter(pk=radoslav.pk),
            out=io.BytesIO(),
            by=None,
            via="admin",
        )
        == 0
    )
    assert IssuedDocument.objects.filter(withdrawn_at__isnull=True).count() == 0


def test_purging_the_passport_data_keeps_the_certificate(radoslav):
    event = radoslav.event
    event.privacy_sensitive_days = 30
    event.privacy_anonymise_days = 3650  # not anonymised yet
    event.save()
    Registration.objects.filter(pk=radoslav.pk).update(passport_number="FE123456")
    check_in(radoslav, FIRST)
    document = services.certificate_issue(registration=radoslav, by=None)
    letter = IssuedDocument.objects.create(
        registration=radoslav, kind=IssuedDocument.Kind.VISA_LETTER, issued_at=document.issued_at
    )
    call_command("purge_personal_data", stdout=io.StringIO())
    letter.refresh_from_db()
    document.refresh_from_db()
    assert letter.withdrawn_at is not None
    assert document.withdrawn_at is None


# --- in bulk from the admin -----------------------------------------------------------------


@pytest.fixture
def manager(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(user)
    return user


def _print(client, registrations):
    return client.post(
        url("admin:registrations_registration_changelist"),
        {"action": "print_certificates", "_selected_action": [r.pk for r in registrations]},
        follow=False,
    )


def test_the_admin_prints_a_page_per_checked_in_delegate_and_records_who_did_it(
    client, manager, event, radoslav
):
    anna = RegistrationFactory(event=event, given_name="Anna", family_name="Huber")
    absent = RegistrationFactory(event=event, given_name="Mark", family_name="Absent")
    check_in(radoslav, FIRST)
    check_in(anna, SECOND)
    response = _print(client, [radoslav, anna, absent])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    pdf = b"".join(response.streaming_content)
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 2
    # In order of family name, each with its own days and address.
    assert "Anna Huber" in pages[0].extract_text()
    assert "15 May 2025" in " ".join(pages[0].extract_text().split())
    assert "Radoslav Stamenkov" in pages[1].extract_text()
    assert "Absent" not in text(pdf)
    issued = IssuedDocument.objects.filter(kind=IssuedDocument.Kind.CERTIFICATE)
    assert sorted(issued.values_list("registration__reference", flat=True)) == sorted(
        [radoslav.reference, anna.reference]
    )
    assert set(issued.values_list("issued_by", flat=True)) == {manager.pk}
    assert sorted(qr_codes(pdf)) == sorted(f"{SITE}/en/verify/{d.token}/" for d in issued)
    record = ExportRecord.objects.get()
    assert (record.dataset, record.format, record.rows, record.user) == (
        "certificates",
        "pdf",
        2,
        manager,
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["1 selected registrations were not checked in and got no certificate."]


def test_printing_again_keeps_the_certificates_already_issued(client, manager, radoslav):
    check_in(radoslav, FIRST)
    downloaded = services.certificate_issue(registration=radoslav, by=radoslav.user)
    pdf = b"".join(_print(client, [radoslav]).streaming_content)
    assert IssuedDocument.objects.get() == downloaded
    assert f"{SITE}/en/verify/{downloaded.token}/" in text(pdf)


def test_the_admin_says_so_when_nobody_selected_was_checked_in(client, manager, radoslav):
    response = client.post(
        url("admin:registrations_registration_changelist"),
        {"action": "print_certificates", "_selected_action": [radoslav.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "None of the selected registrations was checked in at the event: no certificates."
    ]
    assert not IssuedDocument.objects.exists()
    assert not ExportRecord.objects.exists()


def test_printing_takes_the_same_queries_for_two_certificates_or_many(event):
    def run(count: int) -> int:
        registrations = [RegistrationFactory(event=event) for _ in range(count)]
        for registration in registrations:
            check_in(registration, FIRST)
        with CaptureQueriesContext(connection) as queries:
            services.certificates_print(
                registrations=Registration.objects.filter(pk__in=[r.pk for r in registrations]),
                out=io.BytesIO(),
                by=None,
                via="admin",
            )
        return len(queries)

    assert run(2) == run(6)
