"""Messages to the delegates a filtered registration list shows, written in the admin."""

import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from history.models import Entry
from outbox import delivery
from registrations import services, tasks
from registrations.models import Message, Notification, Registration
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    RegistrationFactory,
    UserFactory,
)
from tests.mail import smtp_sink

pytestmark = pytest.mark.django_db

Status = Registration.Status

TEXTS = {
    "subject_bg": "Важно за {event}",
    "subject_en": "Important about {event}",
    "body_bg": "Уважаеми {name},\nвашият номер е {reference}. Регистрацията: {registration_url}",
    "body_en": "Dear {name},\nyour reference is {reference}. Your registration: {registration_url}",
}


def admin_url(view: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"admin:{view}", args=args)


@pytest.fixture
def manager(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Registration managers"))
    return user


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def event(db):
    return OpenEventFactory(title_en="Crossroads", title_bg="Кръстопът")


@pytest.fixture
def people(event):
    """Two confirmed members of the Austrian delegation (one reads Bulgarian), a cancelled
    member of it, and a confirmed delegate of another delegation."""
    austria = DelegationFactory(event=event, name_en="IOM Austria")
    other = DelegationFactory(event=event, name_en="IOM Greece", country="GR")
    return {
        "delegation": austria,
        "zdravka": RegistrationFactory(
            event=event,
            delegation=austria,
            given_name="Здравка",
            family_name="Златанова",
            language="bg",
            reference="EMN30-AAAAA",
        ),
        "anna": RegistrationFactory(
            event=event,
            delegation=austria,
            given_name="Anna",
            family_name="Huber",
            language="en",
            reference="EMN30-BBBBB",
        ),
        "cancelled": RegistrationFactory(
            event=event, delegation=austria, status=Status.CANCELLED, reference="EMN30-CCCCC"
        ),
        "greek": RegistrationFactory(event=event, delegation=other, reference="EMN30-DDDDD"),
    }


def filters(event, people) -> dict:
    return {
        "event__id__exact": str(event.pk),
        "delegation__id__exact": str(people["delegation"].pk),
        "status__exact": "confirmed",
    }


def compose(client, event, people, language="en", **texts) -> dict:
    """The form as the message page gives it, filled in, and previewed."""
    query = "&".join(f"{k}={v}" for k, v in filters(event, people).items())
    url = admin_url("registrations_registration_message", language=language) + "?" + query
    page = client.get(url).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    data = {"filters": query, "key": key, "event": event.pk, **TEXTS, **texts, "preview": "1"}
    return {"url": url, "data": data}


def preview(client, form) -> str:
    response = client.post(form["url"], form["data"])
    assert response.status_code == 200
    html = response.content.decode()
    previewed = re.search(r'name="previewed" value="([^"]*)"', html).group(1)
    form["data"] = {**form["data"], "previewed": previewed}
    return html


def send(client, form, django_capture_on_commit_callbacks):
    data = {k: v for k, v in form["data"].items() if k != "preview"}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(form["url"], {**data, "send": "1"}, follow=True)


def test_the_list_offers_to_write_to_it(manager_client, event, people):
    html = manager_client.get(
        admin_url("registrations_registration_changelist"), {"status__exact": "confirmed"}
    ).content.decode()
    assert 'href="message/?status__exact=confirmed"' in html
    assert "Write to this list" in html


def test_a_filtered_message_reaches_exactly_the_filtered_delegates_each_in_their_language(
    manager_client, manager, event, people, mailoutbox, django_capture_on_commit_callbacks
):
    form = compose(manager_client, event, people)
    html = preview(manager_client, form)
    assert "Preview: the message to 2 registrations" in html
    # Each copy as its reader will see it: in their language, placeholders filled in.
    assert "Важно за Кръстопът" in html
    assert "Уважаеми Здравка Златанова," in html
    assert "Important about Crossroads" in html
    assert "your reference is EMN30-BBBBB" in html
    assert "Send to 2 registrations" in html
    assert mailoutbox == []

    response = send(manager_client, form, django_capture_on_commit_callbacks)
    html = response.content.decode()
    assert "The message is being sent to 2 registrations, each in their language." in html
    message = Message.objects.get()
    assert response.redirect_chain[-1][0] == admin_url("registrations_message_change", message.pk)
    assert (message.sent_by, message.event, message.subject_en) == (
        manager,
        event,
        "Important about {event}",
    )
    assert message.audience == [
        ["Event", "Crossroads"],
        ["Status", "Confirmed"],
        ["Delegation", "IOM Austria"],
    ]
    copies = {
        n.registration.reference: (n.kind, n.language, n.status) for n in message.recipients.all()
    }
    assert copies == {
        "EMN30-AAAAA": ("message", "bg", "sent"),
        "EMN30-BBBBB": ("message", "en", "sent"),
    }
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {people["zdravka"].user.email, people["anna"].user.email}
    bulgarian = by_address[people["zdravka"].user.email]
    assert bulgarian.subject == "Важно за Кръстопът"
    assert bulgarian.body.startswith("Уважаеми Здравка Златанова,\nвашият номер е EMN30-AAAAA.")
    assert "Регистрацията: http://127.0.0.1:8000/bg/registrations/EMN30-AAAAA/" in bulgarian.body
    english = by_address[people["anna"].user.email]
    assert english.subject == "Important about Crossroads"
    assert "Dear Anna Huber,\nyour reference is EMN30-BBBBB." in english.body
    html_part = english.alternatives[0][0]
    assert "Dear Anna Huber,<br>your reference is EMN30-BBBBB." in html_part
    [entry] = Entry.objects.filter(action="message_sent")
    assert (entry.actor, entry.object_id, entry.changes) == (
        manager,
        str(message.pk),
        {"recipient_count": [None, 2]},
    )


def test_submitting_the_form_twice_sends_the_message_once(
    manager_client, event, people, mailoutbox, django_capture_on_commit_callbacks
):
    form = compose(manager_client, event, people)
    preview(manager_client, form)
    send(manager_client, form, django_capture_on_commit_callbacks)
    again = send(manager_client, form, django_capture_on_commit_callbacks)
    assert "This message had been sent already: it was not sent again." in again.content.decode()
    assert Message.objects.count() == 1
    assert Notification.objects.filter(kind="message").count() == 2
    assert len(mailoutbox) == 2


def test_the_same_key_sent_twice_through_the_service_writes_once(event, people, manager):
    arguments = {
        "key": uuid.uuid4(),
        "event": event,
        "texts": TEXTS,
        "registrations": Registration.objects.all(),
        "filters": {},
        "audience": [],
        "by": manager,
    }
    first, sent = services.message_send(**arguments)
    second, sent_again = services.message_send(**arguments)
    assert (sent, sent_again, first) == (True, False, second)
    # The cancelled one too (no filter said otherwise); each once.
    assert first.recipients.count() == 4


def test_a_text_changed_after_its_preview_is_previewed_again_not_sent(
    manager_client, event, people, mailoutbox, django_capture_on_commit_callbacks
):
    form = compose(manager_client, event, people)
    preview(manager_client, form)
    form["data"]["body_en"] = "Something else, {name}."
    html = send(manager_client, form, django_capture_on_commit_callbacks).content.decode()
    assert "The message changed since its preview: check it, then send it." in html
    assert "Something else, Anna Huber." in html
    assert Message.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("language", "missing", "unknown"),
    [
        (
            "en",
            "Write the subject in this language too: some delegates read only it.",
            "Use only these placeholders: {name}, {reference}, {event}, {dates}, {venue}, "
            "{registration_url}, {badge_url}, {calendar_url}, {event_url}. "
            "Write a brace itself as {{ or }}.",
        ),
        (
            "bg",
            "Напишете темата и на този език: някои делегати четат само на него.",
            "Използвайте само тези полета за заместване: {name}, {reference}, {event}, {dates}, "
            "{venue}, {registration_url}, {badge_url}, {calendar_url}, {event_url}. "
            "Самата фигурна скоба се пише като {{ или }}.",
        ),
    ],
)
def test_an_empty_subject_or_an_unknown_placeholder_is_refused_and_nothing_is_sent(
    manager_client,
    event,
    people,
    mailoutbox,
    django_capture_on_commit_callbacks,
    language,
    missing,
    unknown,
):
    form = compose(manager_client, event, people, language=language, subject_bg="  ")
    form["data"]["body_en"] = "Dear {first_name}"
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(form["url"], {**form["data"], "send": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    from django.utils.html import escape

    assert escape(missing) in html
    assert escape(unknown) in html
    assert 'name="send"' not in html
    assert (Message.objects.count(), Notification.objects.count(), mailoutbox) == (0, 0, [])


def test_a_list_filtered_by_another_event_is_refused(manager_client, event, people):
    form = compose(manager_client, event, people)
    other = OpenEventFactory()
    form["data"]["event"] = other.pk
    html = manager_client.post(form["url"], form["data"]).content.decode()
    assert "Choose the event the list is filtered by." in html
    assert Message.objects.count() == 0


def test_a_list_with_nobody_to_write_to_says_so(manager_client, event, people):
    form = compose(manager_client, event, people)
    form["data"]["filters"] += "&country=FR"
    html = manager_client.post(form["url"], form["data"]).content.decode()
    assert "No registration in this list can be written to." in html
    assert 'name="send"' not in html


def test_a_broken_form_key_gets_a_clear_message(manager_client, event, people):
    form = compose(manager_client, event, people)
    form["data"]["key"] = "not-a-key"
    html = manager_client.post(form["url"], form["data"]).content.decode()
    assert "This form has expired: open it again from the list." in html


def test_staff_without_the_permission_cannot_write(client, agenda_editor, event, people):
    client.force_login(agenda_editor)
    assert client.get(admin_url("registrations_registration_message")).status_code == 403


def test_a_real_smtp_server_receives_each_copy_in_its_language(event, people, manager, settings):
    message, _sent = services.message_send(
        key=uuid.uuid4(),
        event=event,
        texts=TEXTS,
        registrations=Registration.objects.filter(pk=people["zdravka"].pk),
        filters={},
        audience=[],
        by=manager,
    )
    [copy] = message.recipients.all()
    with smtp_sink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        assert delivery.deliver(label="registrations.notification", pk=copy.pk).status == "sent"
    [received] = sink.messages
    assert received["To"] == people["zdravka"].user.email
    assert received["Subject"] == "Важно за Кръстопът"
    text = received.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Уважаеми Здравка Златанова,\nвашият номер е EMN30-AAAAA.")


@pytest.mark.parametrize("language", ["bg", "en"])
def test_sent_messages_are_records_in_the_admin(manager_client, manager, event, people, language):
    message, _sent = services.message_send(
        key=uuid.uuid4(),
        event=event,
        texts=TEXTS,
        registrations=Registration.objects.filter(delegation=people["delegation"]),
        filters={"status__exact": ["confirmed"]},
        audience=[["Status", "Confirmed"]],
        by=manager,
    )
    listing = manager_client.get(admin_url("registrations_message_changelist", language=language))
    assert listing.status_code == 200
    subjects = {"bg": "Важно за {event}", "en": "Important about {event}"}
    assert subjects[language] in listing.content.decode()
    page = manager_client.get(
        admin_url("registrations_message_change", message.pk, language=language)
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "EMN30-AAAAA" in html and "EMN30-CCCCC" in html
    assert "<div>Status: Confirmed</div>" in html
    assert 'name="_save"' not in html  # a record: nothing to change
    history = manager_client.get(
        admin_url("registrations_message_history", message.pk, language=language)
    )
    assert history.status_code == 200
    assert manager.get_username() in history.content.decode()


def test_the_message_list_makes_as_many_queries_for_many_messages_as_for_two(
    manager_client, manager, event, people
):
    def send_one():
        services.message_send(
            key=uuid.uuid4(),
            event=event,
            texts=TEXTS,
            registrations=Registration.objects.all(),
            filters={},
            audience=[],
            by=manager,
        )

    url = admin_url("registrations_message_changelist")
    for _ in range(2):
        send_one()
    with CaptureQueriesContext(connection) as two:
        assert manager_client.get(url).status_code == 200
    for _ in range(8):
        send_one()
    with CaptureQueriesContext(connection) as ten:
        assert manager_client.get(url).status_code == 200
    assert len(ten) == len(two)


@pytest.mark.parametrize(
    ("needs", "references"),
    [
        ("dietary", ["EMN30-AAAAA"]),
        ("accessibility", ["EMN30-BBBBB"]),
        ("interpretation", ["EMN30-AAAAA", "EMN30-DDDDD"]),
        ("", ["EMN30-AAAAA", "EMN30-BBBBB", "EMN30-CCCCC", "EMN30-DDDDD"]),
    ],
)
def test_the_list_filters_by_the_needs_delegates_told_us_of(
    manager_client, event, people, needs, references
):
    Registration.objects.filter(pk=people["zdravka"].pk).update(
        dietary_requirements="вегетарианка", interpretation_language="en"
    )
    Registration.objects.filter(pk=people["anna"].pk).update(accessibility_needs="ramp")
    Registration.objects.filter(pk=people["greek"].pk).update(interpretation_language="bg")
    response = manager_client.get(
        admin_url("registrations_registration_changelist"),
        {"event__id__exact": event.pk, "needs": needs},
    )
    listed = [r.reference for r in response.context["cl"].result_list]
    assert sorted(listed) == references


def test_the_request_hands_one_task_to_the_broker_and_a_worker_hands_out_the_copies(
    event, people, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        message, _sent = services.message_send(
            key=uuid.uuid4(),
            event=event,
            texts=TEXTS,
            registrations=Registration.objects.filter(status=Status.CONFIRMED),
            filters={},
            audience=[],
            by=manager,
        )
    assert len(after_commit) == 1
    copies = message.recipients.order_by("pk")
    assert copies.count() == 3
    # One copy already failed and waits for staff: handing out again leaves it alone.
    copies.filter(registration=people["greek"]).update(status=Notification.Status.FAILED)
    assert tasks.message_hand_out(message.pk) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [people["zdravka"].user.email, people["anna"].user.email]
    )
    assert tasks.message_hand_out(message.pk) == 0
