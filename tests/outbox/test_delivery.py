import datetime

import pytest
from django.utils import timezone

from outbox import delivery, tasks
from outbox.models import Email
from outbox.services import email_queue
from registrations.models import Notification
from tests.factories import RegistrationFactory
from tests.locks import row_locked_elsewhere
from tests.mail import hanging_smtp_server, smtp_sink

pytestmark = pytest.mark.django_db

Status = Email.Status


def queued_email(**fields) -> Email:
    values = {
        "to": "delegate@example.org",
        "from_email": "noreply@example.org",
        "subject": "Confirm your address",
        "body": "Follow https://example.org/confirm/secret-key/",
    }
    return Email.objects.create(**(values | fields))


def test_a_message_handed_out_twice_is_sent_once(mailoutbox):
    email = queued_email()
    assert delivery.deliver(label="outbox.email", pk=email.pk).status == "sent"
    assert delivery.deliver(label="outbox.email", pk=email.pk).status == "skipped"
    [message] = mailoutbox
    assert (message.to, message.subject) == (["delegate@example.org"], "Confirm your address")
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error) == (Status.SENT, 1, "")


def test_a_sent_account_message_keeps_no_text():
    email = queued_email(html="<p>Follow the link</p>")
    delivery.deliver(label="outbox.email", pk=email.pk)
    email.refresh_from_db()
    assert (email.subject, email.body, email.html) == ("Confirm your address", "", "")


def test_a_server_that_is_down_means_a_retry_later_with_backoff(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.mail.DownEmailBackend"
    email = queued_email()
    before = timezone.now()
    outcome = delivery.deliver(label="outbox.email", pk=email.pk)
    after = timezone.now()
    assert outcome == delivery.Outcome("retry", retry_in=30.0)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error) == (
        Status.QUEUED,
        1,
        "SMTPServerDisconnected",
    )
    wait = datetime.timedelta(seconds=30)
    assert before + wait <= email.next_attempt_at <= after + wait
    assert mailoutbox == []


def test_the_wait_between_tries_doubles_up_to_an_hour():
    assert [delivery.backoff(n) for n in (1, 2, 3, 7, 8, 12)] == [
        30.0,
        60.0,
        120.0,
        1920.0,
        3600.0,
        3600.0,
    ]


def test_a_refused_recipient_fails_at_once(settings):
    settings.EMAIL_BACKEND = "tests.mail.RefusingEmailBackend"
    email = queued_email()
    assert delivery.deliver(label="outbox.email", pk=email.pk).status == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error) == (
        Status.FAILED,
        1,
        "SMTPRecipientsRefused",
    )


def test_the_last_attempt_gives_up(settings):
    settings.EMAIL_BACKEND = "tests.mail.DownEmailBackend"
    email = queued_email(attempts=settings.OUTBOX_MAX_ATTEMPTS - 1)
    assert delivery.deliver(label="outbox.email", pk=email.pk).status == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, settings.OUTBOX_MAX_ATTEMPTS)


def test_the_sweep_hands_out_messages_whose_task_was_lost(mailoutbox):
    long_ago = timezone.now() - datetime.timedelta(minutes=2)
    lost = queued_email(subject="Lost")
    Email.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
    queued_email(subject="Just queued")
    retry_later = queued_email(subject="Retry later")
    Email.objects.filter(pk=retry_later.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    notification = Notification.objects.create(
        registration=RegistrationFactory(), kind=Notification.Kind.CONFIRMED, language="en"
    )
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=long_ago)

    assert tasks.sweep.delay().get() == 2

    assert sorted(m.subject for m in mailoutbox) == [
        "Lost",
        f"Your registration for {notification.registration.event.title} is confirmed "
        f"({notification.registration.reference})",
    ]
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


def test_a_real_smtp_server_receives_the_message(settings):
    with smtp_sink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        [email] = email_queue(message=_message())
        assert delivery.deliver(label="outbox.email", pk=email.pk).status == "sent"
    [received] = sink.messages
    assert (received["To"], received["Subject"]) == ("delegate@example.org", "Добре дошли")


def test_a_mail_server_that_hangs_is_given_up_on_after_the_timeout(settings):
    with hanging_smtp_server() as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        email = queued_email()
        assert delivery.deliver(label="outbox.email", pk=email.pk).status == "retry"
    email.refresh_from_db()
    assert (email.status, email.error) == (Status.QUEUED, "SMTPServerDisconnected")


def _message():
    from django.core.mail import EmailMessage

    return EmailMessage(
        subject="Добре дошли",
        body="Текст",
        from_email="noreply@example.org",
        to=["delegate@example.org"],
    )


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_message_being_sent_by_one_worker_is_skipped_by_another(mailoutbox):
    email = queued_email()
    with row_locked_elsewhere(Email, email.pk):
        assert delivery.deliver(label="outbox.email", pk=email.pk).status == "skipped"
    assert mailoutbox == []
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 0)
