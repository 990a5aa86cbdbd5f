"""Check-in at the door in a real browser (Debian's Chromium): the QR code read from a real
badge PDF checks its holder in, a second scan says "already", an altered code is refused,
scans taken offline are sent when the network is back (a badge scanned on two offline
devices is reported after the sync), and signing out clears what the device kept."""

import io

import pypdfium2
import pytest
import zxingcpp
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registrations.models import CheckIn
from tests.browser import sign_in
from tests.factories import OpenEventFactory, RegistrationFactory, UserFactory
from tests.groups import ensure_staff_groups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST_KEY = "emn-checkin:door:list"


@pytest.fixture
def door(transactional_db):
    ensure_staff_groups()  # a transactional test before may have emptied the database
    event = OpenEventFactory(slug="door", title_en="Crossroads", title_bg="Кръстопът")
    staff = UserFactory(email="door@example.org")
    staff.groups.add(Group.objects.get(name="Check-in staff"))
    return event, staff


def _badge_code(registration) -> str:
    """The delegate downloads their badge; the QR code is read back from the rendered page."""
    client = Client()
    client.force_login(registration.user)
    pdf = client.get(reverse("registrations:badge", kwargs={"reference": registration.reference}))
    assert pdf["Content-Type"] == "application/pdf"
    image = pypdfium2.PdfDocument(io.BytesIO(pdf.content))[0].render(scale=4).to_pil()
    [code] = [result.text for result in zxingcpp.read_barcodes(image)]
    return code


def _scan(page, code: str, *, online: bool = True) -> str:
    """Types the code as the camera would put it there, and sends it; returns the result."""
    page.locator("#id_code").fill(code)
    if online:
        with page.expect_navigation():
            page.locator(".checkin-form__submit").click()
    else:
        page.locator(".checkin-form__submit").click()
    return page.locator(".checkin-result__title").inner_text()


def _open_checkin(page, live_server, staff, language="en"):
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/{language}/events/door/checkin/")
    # The script keeps the event's list before the network may drop.
    page.wait_for_function(f"() => window.localStorage.getItem({LIST_KEY!r}) !== null")


def test_a_badge_scanned_at_the_door_checks_in_then_says_already_and_refuses_a_forgery(
    page, live_server, door
):
    event, staff = door
    anna = RegistrationFactory(event=event, given_name="Anna", family_name="Huber")
    code = _badge_code(anna)
    _open_checkin(page, live_server, staff)

    assert _scan(page, code) == "Checked in"
    assert page.locator(".checkin-result--go").is_visible()
    assert "Anna Huber" in page.locator(".checkin-person__name").inner_text()
    assert page.locator("#checkin-checked-in").inner_text() == "1"

    again = _scan(page, code)
    assert again.startswith("Already checked in at ")
    assert "by door@example.org" in again
    assert page.locator(".checkin-result--again").is_visible()

    altered = code[:-2] + ("xx" if not code.endswith("xx") else "yy")
    assert _scan(page, altered) == "Forged or damaged code: do not admit"
    assert page.locator(".checkin-result--stop").is_visible()
    assert page.locator(".checkin-person__name").count() == 0

    assert list(CheckIn.objects.values_list("registration", "repeat", "by")) == [
        (anna.pk, False, staff.pk),
        (anna.pk, True, staff.pk),
    ]


def test_scans_taken_offline_are_sent_when_the_network_is_back(page, live_server, door):
    event, staff = door
    anna = RegistrationFactory(event=event, given_name="Anna", family_name="Huber")
    bernd = RegistrationFactory(event=event, given_name="Bernd", family_name="Becker")
    anna_code, bernd_code = _badge_code(anna), _badge_code(bernd)
    _open_checkin(page, live_server, staff)
    _scan(page, anna_code)  # online
    # The list as the device keeps it once Anna is in.
    page.evaluate(f"() => window.localStorage.removeItem({LIST_KEY!r})")
    _open_checkin(page, live_server, staff)

    page.context.set_offline(True)
    assert "On the list: let them in." in _scan(page, bernd_code, online=False)
    assert "Bernd Becker" in page.locator(".checkin-person__name").inner_text()
    assert _scan(page, anna_code, online=False) == "Already scanned today: look again."
    assert _scan(page, "EMN30-ZZZZZ:forged", online=False) == (
        "Not on the list of confirmed badges of this event: do not admit."
    )
    assert "Scans waiting to be sent: 3" in page.locator("#checkin-offline-status").inner_text()
    assert not CheckIn.objects.filter(registration=bernd).exists()

    page.context.set_offline(False)
    report = page.locator("#checkin-offline-report li")
    report.nth(2).wait_for()
    assert report.nth(0).inner_text() == "Bernd Becker: Checked in"
    assert report.nth(1).inner_text().startswith("Anna Huber: Already checked in at ")
    assert report.nth(2).inner_text() == "Forged or damaged code: do not admit"
    page.wait_for_function(
        "() => document.getElementById('checkin-checked-in').textContent === '2'"
    )
    checkin = CheckIn.objects.get(registration=bernd)
    assert (checkin.via, checkin.by, checkin.repeat) == ("offline", staff, False)
    assert checkin.scanned_at <= timezone.now()


def test_a_badge_scanned_on_two_offline_devices_is_reported_after_sync(browser, live_server, door):
    event, staff = door
    anna = RegistrationFactory(event=event, given_name="Anna", family_name="Huber")
    code = _badge_code(anna)
    pages = []
    for _device in range(2):
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(10_000)
        _open_checkin(page, live_server, staff)
        pages.append(page)
    try:
        for page in pages:
            page.context.set_offline(True)
            assert "On the list: let them in." in _scan(page, code, online=False)
        first, second = pages
        first.context.set_offline(False)
        first.locator("#checkin-offline-report li").wait_for()
        second.context.set_offline(False)
        second.locator("#checkin-offline-report li").wait_for()

        assert first.locator("#checkin-offline-report li").inner_text() == "Anna Huber: Checked in"
        reported = second.locator("#checkin-offline-report li").inner_text()
        assert reported.startswith("Anna Huber: Already checked in at ")
        first_device = CheckIn.objects.get(repeat=False).device
        assert reported.endswith(f"by door@example.org ({first_device})")
        assert CheckIn.objects.filter(registration=anna).count() == 2  # neither lost
    finally:
        for page in pages:
            page.context.close()


def test_signing_out_clears_the_list_the_device_kept(page, live_server, door):
    event, staff = door
    RegistrationFactory(event=event)
    _open_checkin(page, live_server, staff)

    page.locator(".account-nav button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/en/")

    assert page.evaluate("() => window.localStorage.length") == 0


def _camera_feed(code: str, path) -> None:
    """A video file Chromium's fake camera plays: the code's QR as a badge shows it, held
    still (Y4M, the raw format Chromium reads; grey, so the colour planes are flat)."""
    import segno
    from PIL import Image

    qr = io.BytesIO()
    segno.make(code, error="m").save(qr, kind="png", scale=6, border=4)
    width, height = 640, 480
    frame = Image.new("L", (width, height), 255)
    image = Image.open(qr).convert("L")
    frame.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    flat = bytes([128]) * (width * height // 4)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + flat + flat)


def test_the_camera_reads_the_badge_and_checks_its_holder_in(browser, live_server, door, tmp_path):
    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    event, staff = door
    anna = RegistrationFactory(event=event, given_name="Anna", family_name="Huber")
    feed = tmp_path / "badge.y4m"
    _camera_feed(_badge_code(anna), feed)
    camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",  # "allow the camera" without asking
        f"--use-file-for-fake-video-capture={feed}",
    ]
    # A Chromium of its own, with a camera that films the badge.
    with_camera = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *camera]
    )
    try:
        page = with_camera.new_context(locale="en-GB").new_page()
        page.set_default_timeout(15_000)
        _open_checkin(page, live_server, staff)
        with page.expect_navigation():
            page.locator("#checkin-camera-toggle").click()
        assert page.locator(".checkin-result__title").inner_text() == "Checked in"
        assert "Anna Huber" in page.locator(".checkin-person__name").inner_text()
    finally:
        with_camera.close()
    assert CheckIn.objects.get().via == "scan"
