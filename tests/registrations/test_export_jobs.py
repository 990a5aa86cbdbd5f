"""Large exports and badge runs are made in the background, with progress and a private file."""
# The export tests' fixtures (event, people, manager) are imported and used as arguments.
# ruff: noqa: F811

import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from pypdf import PdfReader

from registrations import services
from registrations.models import ExportJob, ExportRecord
from tests.browser import sign_in
from tests.factories import RegistrationFactory, UserFactory
from tests.registrations.test_exports import _read_csv, event, manager, people  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_threshold(settings):
    settings.EXPORT_BACKGROUND_ABOVE = 1


def _admin(view: str, *args) -> str:
    with translation.override("en"):
        return reverse(f"admin:{view}", args=args)


def _ask_for_export(client, event, **fields):
    return client.post(
        _admin("registrations_registration_export"),
        {
            "filters": f"event__id__exact={event.pk}",
            "event": event.pk,
            "dataset": "attendees",
            "file_format": "csv",
            "language": "en",
            **fields,
        },
    )


def test_a_large_export_is_made_in_the_background_and_downloaded_by_its_requester(
    client, manager, event, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask_for_export(client, event)
    job = ExportJob.objects.get()
    assert response["Location"] == _admin("registrations_exportjob_progress", job.pk)

    page = client.get(response["Location"]).content.decode()
    assert '<p id="export-status" role="status" aria-live="polite">Ready</p>' in page
    assert f'href="{_admin("registrations_exportjob_download", job.pk)}"' in page
    assert client.get(_admin("registrations_exportjob_status", job.pk)).json() == {
        "status": "done",
        "label": "Ready",
        "done": 3,
        "total": 3,
        "percent": 100,
        "ready": True,
        "finished": True,
        "error": "",
    }
    download = client.get(_admin("registrations_exportjob_download", job.pk))
    assert "no-store" in download["Cache-Control"]
    assert 'filename="emn-2030-attendees-' in download["Content-Disposition"]
    rows = _read_csv(b"".join(download.streaming_content))
    assert [row[0] for row in rows[1:]] == ["EMN30-BBBBB", "EMN30-CCCCC", "EMN30-AAAAA"]

    job.refresh_from_db()
    record = ExportRecord.objects.get()
    assert (job.record, job.selection, job.requested_by) == (record, [], manager)
    assert (record.user, record.via, record.dataset, record.rows) == (
        manager,
        "admin",
        "attendees",
        3,
    )


def test_the_progress_page_works_before_the_worker_starts_and_without_javascript(
    client, manager, event, people
):
    response = _ask_for_export(client, event, language="bg")
    job = ExportJob.objects.get()
    assert (job.status, job.total, job.done) == ("queued", 3, 0)
    assert ExportRecord.objects.count() == 0

    page = client.get(response["Location"]).content.decode()
    assert '<progress id="export-bar" max="3" value="0">0 %</progress>' in page
    assert '<span id="export-count">0 of 3</span>' in page
    assert f'<a href="{response["Location"]}">Check again</a>' in page
    assert '<script src="/static/js/export-progress.js" defer></script>' in page
    assert '<p id="export-download" hidden>' in page

    services.export_job_run(job_id=str(job.pk))
    page = client.get(response["Location"]).content.decode()
    assert '<progress id="export-bar" max="3" value="3">100 %</progress>' in page
    assert '<p id="export-refresh" hidden>' in page
    assert _read_csv(job.__class__.objects.get().file.read())[0][0] == "Номер"


def test_only_the_requester_or_staff_who_may_export_see_a_job(
    client, manager, event, people, agenda_editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask_for_export(client, event)
    job = ExportJob.objects.get()
    views = ["progress", "status", "download"]

    client.force_login(agenda_editor)
    assert [
        client.get(_admin(f"registrations_exportjob_{view}", job.pk)).status_code for view in views
    ] == [404, 404, 404]

    colleague = UserFactory(is_staff=True)
    colleague.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(colleague)
    assert [
        client.get(_admin(f"registrations_exportjob_{view}", job.pk)).status_code for view in views
    ] == [200, 200, 200]


def test_a_job_whose_file_cannot_be_kept_fails_with_its_reason_and_records_nothing(
    client, manager, event, people, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.PRIVATE_ROOT = blocked
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask_for_export(client, event)
    job = ExportJob.objects.get()
    assert (job.status, job.file.name, job.selection) == ("failed", "", [])
    assert job.error.startswith("NotADirectoryError: ")
    assert ExportRecord.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert f'<p id="export-error" class="errornote">{escape(job.error)}</p>' in page
    assert client.get(_admin("registrations_exportjob_download", job.pk)).status_code == 404


def test_a_file_is_deleted_after_its_time(
    client, manager, event, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask_for_export(client, event)
    job = ExportJob.objects.get()
    name = job.file.name
    assert job.expires_at - job.finished_at == datetime.timedelta(hours=24)
    assert services.export_jobs_expire(now=job.expires_at - datetime.timedelta(seconds=1)) == 0
    assert services.export_jobs_expire(now=job.expires_at) == 1
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("expired", "")
    assert not storages["private"].exists(name)
    assert client.get(_admin("registrations_exportjob_download", job.pk)).status_code == 404


def test_a_job_that_lost_its_worker_is_marked_failed(client, manager, event, people):
    _ask_for_export(client, event)
    job = ExportJob.objects.get()
    later = job.created_at + datetime.timedelta(hours=1)
    services.export_jobs_expire(now=later)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "Interrupted: ask for the export again.")


def test_a_large_badge_run_is_made_in_the_background(
    client, manager, event, people, django_capture_on_commit_callbacks
):
    selected = [person.pk for person in (people["radoslav"], people["anna"], people["waiting"])]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _admin("registrations_registration_changelist"),
            {"action": "print_badges", "_selected_action": selected},
        )
    job = ExportJob.objects.get()
    assert response["Location"] == _admin("registrations_exportjob_progress", job.pk)
    assert (job.kind, job.status, job.total, job.badge_layout) == ("badges", "done", 2, "a4")
    pdf = b"".join(client.get(_admin("registrations_exportjob_download", job.pk)).streaming_content)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Радослав" in text
    assert "Novak" not in text
    assert (job.record.dataset, job.record.rows) == ("badges", 2)


def test_a_large_run_of_id1_cards_is_made_in_the_background_in_card_size(
    client, manager, event, people, django_capture_on_commit_callbacks
):
    selected = [people["radoslav"].pk, people["anna"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _admin("registrations_registration_changelist"),
            {"action": "print_badges_card", "_selected_action": selected},
        )
    job = ExportJob.objects.get()
    assert (job.status, job.badge_layout, job.record.filters) == (
        "done",
        "card",
        {"layout": "card"},
    )
    pdf = b"".join(client.get(_admin("registrations_exportjob_download", job.pk)).streaming_content)
    pages = PdfReader(io.BytesIO(pdf)).pages
    # 85.6 × 54 mm, in points
    assert [(round(p.mediabox.width, 1), round(p.mediabox.height, 1)) for p in pages] == [
        (242.6, 153.1)
    ] * 2


def test_the_command_leaves_no_file_when_it_cannot_write(event, people, tmp_path):
    with pytest.raises(CommandError, match="No directory"):
        call_command("export_attendees", event.slug, "-o", str(tmp_path / "missing" / "x.csv"))
    call_command("export_attendees", event.slug, "-o", str(tmp_path / "list.csv"))
    assert [path.name for path in tmp_path.iterdir()] == ["list.csv"]
    assert ExportRecord.objects.get().via == "command"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_progress_bar_moves_by_itself_and_offers_the_file(page, live_server, settings):
    from django.core.management import call_command

    from events.models import Event

    settings.EXPORT_BACKGROUND_ABOVE = 1
    call_command("load_demo")
    event = Event.objects.get(slug="emn-2018")
    # Other transactional tests empty the database, and the staff groups with it (they come
    # from a data migration); the permissions themselves are made again after each emptying.
    manager = UserFactory(is_staff=True)
    manager.user_permissions.add(Permission.objects.get(codename="export_registration"))
    selection = [RegistrationFactory(event=event).pk for _ in range(3)]
    # As export_job_start leaves it for a worker that has not started yet.
    job = ExportJob.objects.create(
        requested_by=manager,
        via="admin",
        event=event,
        kind=ExportJob.Kind.LIST,
        dataset="attendees",
        format="csv",
        language="bg",
        selection=selection,
        total=3,
    )
    sign_in(page, live_server, manager)
    page.goto(live_server.url + _admin("registrations_exportjob_progress", job.pk))
    assert page.locator("#export-status").inner_text() == "Waiting to start"
    assert page.locator("#export-download").is_hidden()

    services.export_job_run(job_id=str(job.pk))  # the worker, while the page is open

    page.locator("#export-download").wait_for(state="visible")
    assert page.locator("#export-status").inner_text() == "Ready"
    assert page.locator("#export-count").inner_text() == "3 of 3"
    assert page.locator("#export-refresh").is_hidden()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the file").click()
    assert _read_csv(download.value.path().read_bytes())[0][0] == "Номер"
