"""Check-in at the door: signed badge codes, the recorded decision, the page, the device's
list and its offline scans, the day's counts and the "Check-in staff" group."""

import datetime
import io
import json
import uuid

import pypdfium2
import pytest
import zxingcpp
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation

from history.models import Entry
from registrations import services
from registrations.models import CheckIn, Registration, SessionSignup
from registrations.services import CheckInOutcome
from registrations.tokens import badge_token
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def event(db):
    return OpenEventFactory(slug="door", title_en="Crossroads", title_bg="Кръстопът")


@pytest.fixture
def door_staff(db):
    user = UserFactory(email="door@example.org")
    user.groups.add(Group.objects.get(name="Check-in staff"))
    return user


@pytest.fixture
def staff_client(client, door_staff):
    client.force_login(door_staff)
    return client


@pytest.fixture
def radoslav(event):
    return RegistrationFactory(
        event=event,
        reference="EMN30-K3QXA",
        given_name="Радослав",
        family_name="Стаменков",
        given_name_latin="Radoslav",
        family_name_latin="Stamenkov",
        organisation="МОМ България",
        delegation=DelegationFactory(
            event=event, name_en="IOM Bulgaria", name_bg="Делегация на МОМ"
        ),
        accessibility_needs="Wheelchair user: step-free entrance",
    )


@pytest.fixture
def workshop(event, radoslav):
    session = SessionFactory(
        event=event, capacity=20, title_en="Workshop on returns", start=timezone.now()
    )
    SessionSignup.objects.create(
        registration=radoslav, session=session, status=SessionSignup.Status.CONFIRMED
    )
    return session


def _check_in(event, code, by, **kwargs):
    return services.checkin_record(event=event, code=code, by=by, **kwargs)


# --- the code on the badge -----------------------------------------------------------------


def test_the_badge_qr_code_carries_the_signed_code_of_its_event(event, radoslav):
    from registrations.badges import badges_pdf

    out = io.BytesIO()
    badges_pdf([radoslav], out, layout="a6")
    image = pypdfium2.PdfDocument(out.getvalue())[0].render(scale=4).to_pil()
    [code] = [result.text for result in zxingcpp.read_barcodes(image)]
    assert code == badge_token(radoslav)
    assert code.startswith("EMN30-K3QXA:")


def test_a_signed_code_checks_the_person_in_and_records_who_when_and_where(
    event, radoslav, door_staff
):
    answer = _check_in(event, badge_token(radoslav), door_staff, device="door-1")

    assert answer.outcome == CheckInOutcome.CHECKED_IN
    assert answer.message() == "Checked in"
    checkin = CheckIn.objects.get()
    assert (checkin.registration, checkin.by, checkin.device, checkin.repeat) == (
        radoslav,
        door_staff,
        "door-1",
        False,
    )
    entry = Entry.objects.get(action="checked_in")
    assert (entry.object_id, entry.actor) == (str(radoslav.pk), door_staff)


def test_a_second_scan_says_already_checked_in_with_the_time_and_by_whom(
    event, radoslav, door_staff
):
    first_scan = timezone.now().replace(hour=7, minute=12, second=0, microsecond=0)
    _check_in(event, badge_token(radoslav), door_staff, device="door-1", scanned_at=first_scan)

    answer = _check_in(event, badge_token(radoslav), door_staff, device="door-2")

    assert answer.outcome == CheckInOutcome.ALREADY
    local = timezone.localtime(first_scan, datetime.UTC).astimezone(
        __import__("zoneinfo").ZoneInfo(event.time_zone)
    )
    assert answer.message() == (f"Already checked in at {local:%H:%M} by door@example.org (door-1)")
    assert CheckIn.objects.firsts().count() == 1
    assert CheckIn.objects.filter(repeat=True).count() == 1  # kept, not lost
    assert Entry.objects.filter(action="checked_in_again").count() == 1


@pytest.mark.parametrize(
    "alter",
    [
        lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"),  # the signature
        lambda code: "EMN30-K3QXB" + code[len("EMN30-K3QXA") :],  # the reference
        lambda code: "EMN30-K3QXA:made-up",
    ],
)
def test_an_altered_or_invented_code_is_refused_and_names_nobody(
    event, radoslav, door_staff, alter
):
    RegistrationFactory(event=event, reference="EMN30-K3QXB")

    answer = _check_in(event, alter(badge_token(radoslav)), door_staff)

    assert answer.outcome == CheckInOutcome.FORGED
    assert answer.registration is None
    assert answer.message() == "Forged or damaged code: do not admit"
    assert not CheckIn.objects.exists()


def test_the_typed_reference_still_works_whatever_its_case(event, radoslav, door_staff):
    answer = _check_in(event, " emn30-k3qxa ", door_staff)

    assert answer.outcome == CheckInOutcome.CHECKED_IN
    assert answer.registration == radoslav


def test_an_unknown_reference_is_said_so(event, door_staff):
    assert _check_in(event, "EMN30-NOONE", door_staff).outcome == CheckInOutcome.UNKNOWN


def test_a_badge_of_another_event_is_not_for_this_event(event, door_staff):
    other = RegistrationFactory(event=OpenEventFactory(title_en="Other meeting"))

    answer = _check_in(event, badge_token(other), door_staff)

    assert answer.outcome == CheckInOutcome.OTHER_EVENT
    assert answer.registration is None
    assert answer.message() == "Not for this event: the badge is for Other meeting"


def test_a_code_signed_for_another_event_does_not_pass_here(event, radoslav, door_staff):
    # The same reference, signed with another event's salt: forged for this one.
    from registrations.tokens import _signer

    forged = _signer(event.pk + 1000).sign(radoslav.reference)

    assert _check_in(event, forged, door_staff).outcome == CheckInOutcome.FORGED


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Registration.Status.PENDING, "Not confirmed: Pending approval"),
        (Registration.Status.WAITLISTED, "Not confirmed: On the waiting list"),
        (Registration.Status.CANCELLED, "Not confirmed: Cancelled"),
    ],
)
def test_a_registration_not_confirmed_is_not_admitted_and_says_why(
    event, radoslav, door_staff, status, message
):
    radoslav.status = status
    radoslav.save()

    answer = _check_in(event, badge_token(radoslav), door_staff)

    assert (answer.outcome, answer.message()) == (CheckInOutcome.NOT_CONFIRMED, message)
    assert not CheckIn.objects.exists()


def test_each_day_of_the_event_counts_once(event, radoslav, door_staff):
    today = timezone.now()
    _check_in(event, radoslav.reference, door_staff, scanned_at=today - datetime.timedelta(days=1))

    answer = _check_in(event, radoslav.reference, door_staff, scanned_at=today)

    assert answer.outcome == CheckInOutcome.CHECKED_IN
    assert CheckIn.objects.firsts().count() == 2


def test_a_session_with_sign_up_is_counted_separately(event, radoslav, workshop, door_staff):
    _check_in(event, radoslav.reference, door_staff)

    at_session = _check_in(event, radoslav.reference, door_staff, session=workshop)
    again = _check_in(event, radoslav.reference, door_staff, session=workshop)

    assert at_session.outcome == CheckInOutcome.CHECKED_IN
    assert at_session.message() == "Checked in to the session"
    assert again.outcome == CheckInOutcome.ALREADY
    day = timezone.localdate(timezone=__import__("zoneinfo").ZoneInfo(event.time_zone))
    counts = services.queries.checkin_counts(event=event, day=day)
    assert (counts.expected, counts.checked_in) == (1, 1)
    assert counts.sessions == [(workshop, 1, 1)]


def test_someone_without_a_seat_at_the_session_is_not_admitted_to_it(event, workshop, door_staff):
    anna = RegistrationFactory(event=event)

    answer = _check_in(event, anna.reference, door_staff, session=workshop)

    assert answer.outcome == CheckInOutcome.NOT_SIGNED_UP
    assert not CheckIn.objects.exists()


def test_a_scan_sent_twice_is_recorded_once(event, radoslav, door_staff):
    scan = uuid.uuid4()
    first = _check_in(event, radoslav.reference, door_staff, scan_id=scan)
    again = _check_in(event, radoslav.reference, door_staff, scan_id=scan)

    assert first.outcome == again.outcome == CheckInOutcome.CHECKED_IN
    assert CheckIn.objects.count() == 1


# --- the page at the door ------------------------------------------------------------------


def test_check_in_staff_check_a_delegate_in_by_typing_the_reference(staff_client, event, radoslav):
    response = staff_client.post(
        url("registrations:checkin", "bg", slug=event.slug),
        {"code": "EMN30-K3QXA", "device": "door-1"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "checkin-result--go" in html
    for shown in [
        "Регистриран на входа",
        "Радослав Стаменков",
        "Radoslav Stamenkov",
        "МОМ България",
        "Делегация на МОМ",
        "Wheelchair user: step-free entrance",
        "Потвърдена",
    ]:
        assert shown in html
    assert (
        url("registrations:checkin_badge", "bg", slug=event.slug, reference="EMN30-K3QXA") in html
    )
    assert CheckIn.objects.get().device == "door-1"


def test_the_page_refuses_a_forged_code_without_naming_anyone(staff_client, event, radoslav):
    response = staff_client.post(
        url("registrations:checkin", slug=event.slug), {"code": "EMN30-K3QXA:forged"}
    )

    html = response.content.decode()
    assert "checkin-result--stop" in html
    assert "Forged or damaged code: do not admit" in html
    assert "Радослав" not in html


def test_an_empty_code_is_explained_and_nothing_recorded(staff_client, event):
    response = staff_client.post(url("registrations:checkin", "bg", slug=event.slug), {"code": ""})

    assert response.status_code == 200
    assert "Сканирайте бадж или въведете номера му." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_session_of_another_event_is_refused(staff_client, event, radoslav):
    other = SessionFactory(capacity=5)

    response = staff_client.post(
        url("registrations:checkin", slug=event.slug),
        {"code": radoslav.reference, "session": other.pk},
    )

    assert response.status_code == 200
    assert "form-errors" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_the_page_allows_the_camera_and_no_other_page_does(staff_client, event):
    page = staff_client.get(url("registrations:checkin", slug=event.slug))
    home = staff_client.get(url("events:home"))

    assert "camera=(self)" in page["Permissions-Policy"]
    assert "camera=()" in home["Permissions-Policy"]


def test_people_who_are_not_check_in_staff_do_not_find_the_page(client, event):
    assert client.get(url("registrations:checkin", slug=event.slug)).status_code == 302
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url("registrations:checkin", slug=event.slug)).status_code == 404
    assert client.get(url("registrations:checkin_list", slug=event.slug)).status_code == 403


def test_the_day_counts_take_the_same_number_of_queries_for_few_or_many(
    staff_client, event, django_assert_num_queries
):
    def page_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            staff_client.get(url("registrations:checkin", slug=event.slug))
        # The session's read depends on the session cache, not on the page.
        return [q["sql"] for q in queries.captured_queries if "django_session" not in q["sql"]]

    RegistrationFactory.create_batch(2, event=event)
    SessionFactory(event=event, capacity=5, start=timezone.now())
    page_queries()  # the first request of the session reads what later ones have cached
    few = page_queries()
    for registration in RegistrationFactory.create_batch(20, event=event):
        _check_in(event, registration.reference, None)
    SessionFactory.create_batch(3, event=event, capacity=5, start=timezone.now())
    assert len(page_queries()) == len(few)


def test_the_badge_is_printed_again_for_check_in_staff(staff_client, event, radoslav):
    response = staff_client.get(
        url("registrations:checkin_badge", slug=event.slug, reference=radoslav.reference)
    )

    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert len(pypdfium2.PdfDocument(response.content)) == 1


# --- the device's list and its offline scans -----------------------------------------------


def test_the_list_holds_the_signed_codes_of_confirmed_people_only(staff_client, event, radoslav):
    RegistrationFactory(event=event, status=Registration.Status.PENDING)

    response = staff_client.get(url("registrations:checkin_list", slug=event.slug))

    assert response["Cache-Control"] == "private, no-store"
    listed = response.json()["admissible"]
    assert [entry["code"] for entry in listed] == [badge_token(radoslav)]
    assert listed[0]["name_latin"] == "Radoslav Stamenkov"
    assert "phone" not in listed[0] and "email" not in listed[0]


def test_the_list_is_refused_to_those_signed_out(client, event):
    response = client.get(url("registrations:checkin_list", slug=event.slug))

    assert response.status_code == 403
    assert response["Cache-Control"] == "private, no-store"


def _sync(client, event, scans, device="phone-2"):
    return client.post(
        url("registrations:checkin_sync", slug=event.slug),
        json.dumps({"device": device, "scans": scans}),
        content_type="application/json",
    )


def test_double_scans_of_two_offline_devices_are_reported_after_sync(staff_client, event, radoslav):
    at = timezone.now().isoformat()
    first = _sync(
        staff_client,
        event,
        [{"id": str(uuid.uuid4()), "code": badge_token(radoslav), "at": at}],
        "phone-1",
    )
    second = _sync(
        staff_client, event, [{"id": str(uuid.uuid4()), "code": badge_token(radoslav), "at": at}]
    )

    assert first.json()["results"][0]["outcome"] == "checked_in"
    [repeat] = second.json()["results"]
    assert repeat["outcome"] == "already"
    assert "by door@example.org (phone-1)" in repeat["message"]
    assert list(CheckIn.objects.values_list("device", "via", "repeat")) == [
        ("phone-1", "offline", False),
        ("phone-2", "offline", True),
    ]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"scans": "nope"}),
        json.dumps({"scans": [{"id": "x", "code": "EMN30-K3QXA", "at": "2030-01-01T10:00Z"}]}),
        json.dumps({"scans": [{"id": str(uuid.uuid4()), "code": "A", "at": "yesterday"}]}),
        json.dumps({"scans": [{"id": str(uuid.uuid4()), "code": "A", "at": "2030-01-01T10:00"}]}),
        json.dumps(
            {
                "scans": [
                    {
                        "id": str(uuid.uuid4()),
                        "code": "A",
                        "at": "2030-01-01T10:00Z",
                        "session": 2**70,
                    }
                ]
            }
        ),
    ],
)
def test_unreadable_scans_are_refused_and_nothing_recorded(staff_client, event, radoslav, body):
    response = staff_client.post(
        url("registrations:checkin_sync", "bg", slug=event.slug),
        body,
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"error": "Тези сканирания не могат да бъдат прочетени."}
    assert not CheckIn.objects.exists()


def test_signing_out_clears_the_browsers_storage_for_the_site(staff_client):
    response = staff_client.post(url("account_logout"))

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'


def test_check_in_staff_have_exactly_the_permission_to_check_in():
    group = Group.objects.get(name="Check-in staff")

    assert list(group.permissions.values_list("codename", flat=True)) == ["checkin_registration"]


@pytest.mark.parametrize("code", ["EMN30-K3QXA\x00", "EMN30-\ud800", "EMN30-K3QXA:\x07"])
def test_characters_no_badge_holds_name_nobody_and_record_nothing(
    staff_client, event, radoslav, code
):
    response = _sync(
        staff_client,
        event,
        [{"id": str(uuid.uuid4()), "code": code, "at": timezone.now().isoformat()}],
        device="phone\x00\ud800",
    )

    assert response.json()["results"][0]["outcome"] == "unknown"
    assert not CheckIn.objects.exists()


def test_a_device_name_keeps_only_printable_characters(staff_client, event, radoslav):
    _sync(
        staff_client,
        event,
        [{"id": str(uuid.uuid4()), "code": "EMN30-K3QXA", "at": timezone.now().isoformat()}],
        device="phone\x00\ud800-1",
    )

    assert CheckIn.objects.get().device == "phone-1"


def test_reprinting_a_badge_is_recorded_like_every_printing(staff_client, event, radoslav):
    from registrations.models import ExportRecord

    staff_client.get(
        url("registrations:checkin_badge", slug=event.slug, reference=radoslav.reference)
    )

    record = ExportRecord.objects.get()
    assert (record.via, record.dataset, record.rows, record.user.email) == (
        "checkin",
        "badges",
        1,
        "door@example.org",
    )


def test_a_badge_is_not_printed_again_for_someone_not_confirmed(staff_client, event, radoslav):
    radoslav.status = Registration.Status.CANCELLED
    radoslav.save()

    response = staff_client.get(
        url("registrations:checkin_badge", slug=event.slug, reference=radoslav.reference)
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    "scan",
    [
        {"code": "EMN30-K3QXA", "at": "0001-01-01T00:00:00+14:00"},
        {"code": "EMN30-K3QXA", "at": "2030-01-01T10:00Z", "session": float("inf")},
        {"code": "EMN30-K3QXA", "at": "2030-01-01T10:00Z", "session": float("nan")},
    ],
)
def test_scans_at_the_ends_of_time_or_of_numbers_are_refused(staff_client, event, scan):
    response = staff_client.post(
        url("registrations:checkin_sync", slug=event.slug),
        json.dumps({"scans": [{"id": str(uuid.uuid4()), **scan}]}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert not CheckIn.objects.exists()
