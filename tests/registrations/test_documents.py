import io
import tempfile
import tracemalloc

import pypdf
import pypdfium2
import pytest
import zxingcpp
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from registrations import badges, documents, services
from registrations.models import LetterTemplate, Notification, Registration
from registrations.tokens import badge_token, token_is_valid, token_reference
from tests.factories import (
    PASSPORT,
    DelegationFactory,
    OpenEventFactory,
    RegistrationFactory,
    UserFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    """The PDF's text with its line breaks as plain spaces, as a reader would read it."""
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def _qr_codes(pdf: bytes) -> list[str]:
    found = []
    for page in pypdfium2.PdfDocument(pdf):
        image = page.render(scale=4).to_pil()
        found += [result.text for result in zxingcpp.read_barcodes(image)]
    return sorted(found)


@pytest.fixture
def event(db):
    return OpenEventFactory(title_en="Crossroads of Migration", title_bg="Пътища на миграцията")


@pytest.fixture
def radoslav(event):
    return RegistrationFactory(
        event=event,
        reference="EMN30-K3QXA",
        honorific="Г-н",
        given_name="Радослав",
        family_name="Стаменков",
        given_name_latin="Radoslav",
        family_name_latin="Stamenkov",
        position="Ръководител на Мисията",
        organisation="МОМ България",
        role=Registration.Role.SPEAKER,
        language="bg",
    )


def test_badge_shows_both_scripts_the_role_and_a_qr_of_the_reference(event, radoslav):
    anna = RegistrationFactory(
        event=event,
        given_name="Anna",
        family_name="Huber",
        reference="EMN30-ANNAH",
        delegation=DelegationFactory(event=event, name_en="IOM Austria"),
    )
    out = io.BytesIO()
    assert badges.badges_pdf([radoslav, anna], out, layout="a4") == 2
    pdf = out.getvalue()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = _text(pdf)
    for expected in [
        "Радослав Стаменков",
        "Radoslav Stamenkov",
        "Ръководител на Мисията",
        "МОМ България",
        "ЛЕКТОР / SPEAKER",
        "Anna Huber",
        "IOM Austria",
        "ДЕЛЕГАТ / DELEGATE",
    ]:
        assert expected in text
    fonts = {font for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert all("DejaVu" in str(font.get_object()["/BaseFont"]) for font in fonts)
    assert _qr_codes(pdf) == sorted([badge_token(anna), badge_token(radoslav)])


def test_badges_one_per_page(event, radoslav):
    others = RegistrationFactory.create_batch(2, event=event)
    out = io.BytesIO()
    badges.badges_pdf([radoslav, *others], out, layout="a6")
    assert len(pypdf.PdfReader(io.BytesIO(out.getvalue())).pages) == 3


def test_nine_badges_take_two_a4_pages(event):
    out = io.BytesIO()
    badges.badges_pdf(RegistrationFactory.create_batch(9, event=event), out, layout="a4")
    assert len(pypdf.PdfReader(io.BytesIO(out.getvalue())).pages) == 2


def test_confirmation_is_in_the_delegate_language(radoslav):
    pdf = documents.confirmation_pdf(radoslav)
    text = _text(pdf)
    assert "Потвърждение за регистрация" in text
    assert "Пътища на миграцията" in text
    assert "EMN30-K3QXA" in text
    assert _qr_codes(pdf) == [badge_token(radoslav)]


# --- delegates download their own ---------------------------------------------------------


def _url(name: str, registration) -> str:
    with translation.override("bg"):
        return reverse(name, kwargs={"reference": registration.reference})


@pytest.mark.parametrize("name", ["registrations:badge", "registrations:confirmation"])
def test_confirmed_delegate_downloads_badge_and_confirmation(client, radoslav, name):
    client.force_login(radoslav.user)
    response = client.get(_url(name, radoslav))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "EMN30-K3QXA" in _text(response.content)


@pytest.mark.parametrize("name", ["registrations:badge", "registrations:confirmation"])
def test_no_badge_before_confirmation(client, event, name):
    waiting = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    client.force_login(waiting.user)
    assert client.get(_url(name, waiting)).status_code == 404


def test_another_delegates_badge_is_not_found(client, radoslav):
    client.force_login(VerifiedUserFactory())
    assert client.get(_url("registrations:badge", radoslav)).status_code == 404


# --- visa invitation letters ---------------------------------------------------------------

BODY_EN = (
    "We are pleased to invite {name}, {position}, {organisation}, to the {event}, held in "
    "{venue} on {dates}.\n\nThe organisers cover no travel costs. Reference: {reference}."
)
BODY_BG = "Имаме удоволствието да поканим {name} на {event}, {dates}."


@pytest.fixture
def letter(event):
    return LetterTemplate.objects.create(
        event=event,
        letterhead_en="Ministry of the Interior\n29 Shesti Septemvri Str., Sofia",
        letterhead_bg="Министерство на вътрешните работи\nул. „6-ти септември“ 29, София",
        place_en="Sofia",
        place_bg="София",
        body_en=BODY_EN,
        body_bg=BODY_BG,
        signatory_name_en="Head of the EMN National Contact Point",
        signatory_name_bg="Ръководител на националната точка за контакт",
        signatory_position_en="Ministry of the Interior",
        signatory_position_bg="Министерство на вътрешните работи",
    )


def test_letter_template_refuses_unknown_placeholders(event):
    template = LetterTemplate(
        event=event,
        letterhead_en="MoI",
        place_en="Sofia",
        body_en="Dear {passport}",
        costs_en="The participant",
        signatory_name_en="X",
        signatory_position_en="Y",
    )
    with pytest.raises(ValidationError) as info:
        template.full_clean()
    assert list(info.value.message_dict) == ["body_en"]


def test_visa_letter_fills_in_the_delegate_in_the_language_asked(radoslav, letter):
    radoslav.needs_visa_letter = True
    radoslav.save()
    english = _text(documents.visa_letter_pdf(radoslav, letter, "en"))
    assert "Ministry of the Interior" in english
    assert "invite Г-н Radoslav Stamenkov, Ръководител на Мисията, МОМ България" in english
    assert "Head of the EMN National Contact Point" in english
    # As in the passport, in every language: the consulate compares the two.
    bulgarian = _text(documents.visa_letter_pdf(radoslav, letter, "bg"))
    assert (
        "Имаме удоволствието да поканим Г-н Radoslav Stamenkov на Пътища на миграцията" in bulgarian
    )


def test_visa_letter_is_approved_sent_and_downloadable(
    client, radoslav, letter, mailoutbox, django_capture_on_commit_callbacks
):
    _with_passport(radoslav)
    client.force_login(radoslav.user)
    assert client.get(_url("registrations:visa_letter", radoslav)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        services.visa_letter_approve(by=None, registration=radoslav)
    [message] = mailoutbox
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("visa-letter-EMN30-K3QXA.pdf", "application/pdf")
    assert "Radoslav Stamenkov" in _text(content)
    response = client.get(_url("registrations:visa_letter", radoslav))
    assert response.status_code == 200
    assert "Radoslav Stamenkov" in _text(response.content)


@pytest.mark.parametrize(
    ("needs", "status", "message"),
    [
        (False, Registration.Status.CONFIRMED, "did not ask for a visa invitation letter"),
        (True, Registration.Status.WAITLISTED, "is not confirmed"),
    ],
)
def test_visa_letter_is_refused_when_not_due(event, letter, needs, status, message):
    registration = RegistrationFactory(event=event, needs_visa_letter=needs, status=status)
    with pytest.raises(ValidationError, match=message):
        services.visa_letter_approve(by=None, registration=registration)
    registration.refresh_from_db()
    assert registration.visa_letter_approved_at is None
    assert not registration.notifications.filter(kind=Notification.Kind.VISA_LETTER).exists()


def _with_passport(registration: Registration) -> Registration:
    registration.needs_visa_letter = True
    for name, value in PASSPORT.items():
        setattr(registration, name, value)
    registration.save()
    return registration


# --- from the admin ---------------------------------------------------------------------------


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


def _changelist() -> str:
    with translation.override("en"):
        return reverse("admin:registrations_registration_changelist")


def test_admin_prints_badges_for_the_selection(client, manager, event, radoslav):
    other = RegistrationFactory(event=event, given_name="Anna", family_name="Huber")
    response = client.post(
        _changelist(), {"action": "print_badges", "_selected_action": [radoslav.pk, other.pk]}
    )
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    text = _text(pdf)
    assert "Радослав Стаменков" in text
    assert "Anna Huber" in text


def test_admin_approves_visa_letters(
    client, visa_officer, radoslav, letter, django_capture_on_commit_callbacks
):
    _with_passport(radoslav)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _changelist(),
            {"action": "approve_visa_letters", "_selected_action": [radoslav.pk], "post": "yes"},
        )
    radoslav.refresh_from_db()
    assert radoslav.visa_letter_approved_at is not None
    assert radoslav.visa_letter_approved_at <= timezone.now()


def test_visa_letter_leaves_no_gap_for_an_empty_detail(radoslav, letter):
    radoslav.position = ""
    text = _text(documents.visa_letter_pdf(radoslav, letter, "en"))
    assert "invite Г-н Radoslav Stamenkov, МОМ България, to the" in text


@pytest.mark.parametrize("body", ["{position[0]}", "{name:>999999999}", "{name!r}", "{0}", "{"])
def test_letter_template_refuses_anything_but_bare_placeholders(event, body):
    template = LetterTemplate(
        event=event,
        letterhead_en="MoI",
        place_en="Sofia",
        body_en=body,
        costs_en="The participant",
        signatory_name_en="X",
        signatory_position_en="Y",
    )
    with pytest.raises(ValidationError) as info:
        template.full_clean()
    assert list(info.value.message_dict) == ["body_en"]


def test_long_visa_letter_flows_onto_a_second_page(radoslav, letter):
    letter.body_en = "\n\n".join(["We are pleased to invite {name}. " * 40] * 6)
    pdf = documents.visa_letter_pdf(radoslav, letter, "en")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    assert "Head of the EMN National Contact Point" in reader.pages[-1].extract_text()


def test_visa_letter_is_dated_when_approved(radoslav, letter):
    import datetime

    radoslav.visa_letter_approved_at = datetime.datetime(2030, 3, 2, 9, tzinfo=datetime.UTC)
    assert "Sofia, 2 March 2030" in _text(documents.visa_letter_pdf(radoslav, letter, "en"))


def test_badge_clips_a_name_too_long_for_it(event):
    long_name = RegistrationFactory(
        event=event,
        given_name="Maria-Magdalena Alexandra Konstantina",
        family_name="Papadopoulou-Vasilopoulou",
        organisation="International" * 8,
    )
    out = io.BytesIO()
    badges.badges_pdf([long_name], out, layout="a6")
    text = _text(out.getvalue())
    assert "…" in text
    assert "Papadopoulou-Vasilopoulou" not in text


def test_badge_prints_the_latin_name_for_a_script_the_font_lacks(event):
    registration = RegistrationFactory(
        event=event,
        given_name="小龍",
        family_name="李",
        given_name_latin="Bruce",
        family_name_latin="Lee",
    )
    out = io.BytesIO()
    badges.badges_pdf([registration], out, layout="a6")
    text = _text(out.getvalue())
    assert "Bruce Lee" in text
    assert "李" not in text


def test_badges_only_for_confirmed_and_recorded(client, manager, event, radoslav):
    from registrations.models import ExportRecord

    waiting = RegistrationFactory(
        event=event, status=Registration.Status.WAITLISTED, family_name="Novak"
    )
    response = client.post(
        _changelist(), {"action": "print_badges", "_selected_action": [radoslav.pk, waiting.pk]}
    )
    text = _text(b"".join(response.streaming_content))
    assert "Радослав Стаменков" in text
    assert "Novak" not in text
    record = ExportRecord.objects.get()
    assert (record.dataset, record.format, record.rows, record.user) == (
        "badges",
        "pdf",
        1,
        manager,
    )
    follow = client.get(_changelist()).content.decode()
    assert "1 selected registrations are not confirmed and got no badge." in follow


# --- badge runs of any size ----------------------------------------------------------------


def _holders(event, count: int):
    """`count` badge holders, made one by one as the badges are drawn (not saved: only the
    drawing is measured, as a badge run reads its registrations from a cursor)."""
    for n in range(count):
        yield Registration(
            event=event,
            reference=f"EMN30-{n:05d}",
            given_name="Мария",
            family_name=f"Иванова {n}",
            given_name_latin="Maria",
            family_name_latin=f"Ivanova {n}",
            position="Началник на отдел",
            organisation="Министерство на вътрешните работи",
            country="BG",
            role=Registration.Role.DELEGATE,
        )


def _peak_memory(event, count: int) -> int:
    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        try:
            assert badges.badges_pdf(_holders(event, count), out, layout="a4") == count
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_badge_pages_go_to_the_file_as_they_are_done_so_memory_does_not_grow(event):
    _peak_memory(event, 100)  # fonts loaded, the (bounded) cache of QR codes filled
    few, many = _peak_memory(event, 16), _peak_memory(event, 200)
    # Measured: some 160 KB more for 184 more badges (the file's index of 23 more pages, and
    # garbage the collector has not reached yet; it levels off, +10 KB from 800 to 1,600).
    # Were the pages kept until the end, as ReportLab keeps them: 680 KB more (2.2 MB more
    # before the QR codes were drawn as one path each).
    assert many - few < 400_000


def test_every_badge_on_every_page_carries_a_readable_code(event):
    out = io.BytesIO()
    badges.badges_pdf(_holders(event, 9), out, layout="a4")
    codes = _qr_codes(out.getvalue())
    assert [token_reference(code) for code in codes] == [f"EMN30-{n:05d}" for n in range(9)]
    assert all(token_is_valid(code, event_id=event.pk) for code in codes)
