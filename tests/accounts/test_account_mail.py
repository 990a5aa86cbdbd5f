"""Account mail (sign-up, password reset) goes through the outbox, never holding the request."""

import pytest
import redis
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher

from outbox.models import Email
from tests.broker import broker, requires_redis
from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Crossroads-of-Migration-2018"


class CountingHasher(MD5PasswordHasher):
    """Django's MD5 hasher (fast, for tests) that counts the hashes it computes."""

    algorithm = "counting_md5"
    count = 0

    def encode(self, password, salt):
        type(self).count += 1
        return super().encode(password, salt)


@pytest.fixture
def hashes(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_account_mail.CountingHasher"]
    CountingHasher.count = 0
    return CountingHasher


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what waits for the commit (handing messages to a worker) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sign_up(client, email):
    return client.post(
        "/en/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


def test_sign_up_with_the_mail_server_down_answers_and_keeps_the_message(
    client, settings, committed
):
    settings.EMAIL_BACKEND = "tests.mail.DownEmailBackend"
    with committed():
        response = sign_up(client, "new@example.org")
    assert (response.status_code, response["Location"]) == (302, "/en/accounts/confirm-email/")
    [email] = Email.objects.all()
    assert (email.to, email.status, email.attempts, email.error) == (
        "new@example.org",
        Email.Status.QUEUED,
        1,
        "SMTPServerDisconnected",
    )
    assert "/en/accounts/confirm-email/" in email.body


def test_password_reset_with_the_mail_server_down_answers(client, settings, committed):
    settings.EMAIL_BACKEND = "tests.mail.DownEmailBackend"
    VerifiedUserFactory(email="forgot@example.org")
    with committed():
        response = client.post("/bg/accounts/password/reset/", {"email": "forgot@example.org"})
    assert (response.status_code, response["Location"]) == (
        302,
        "/bg/accounts/password/reset/done/",
    )
    assert Email.objects.get().status == Email.Status.QUEUED


def test_sign_up_does_the_same_work_whether_or_not_the_address_has_an_account(client, hashes):
    VerifiedUserFactory(email="known@example.org")
    hashes.count = 0
    known = sign_up(client, "known@example.org")
    work_for_known = (hashes.count, Email.objects.count())
    client.logout()
    hashes.count = 0
    new = sign_up(client, "new@example.org")
    work_for_new = (hashes.count, Email.objects.count() - 1)

    assert known["Location"] == new["Location"] == "/en/accounts/confirm-email/"
    assert work_for_known == work_for_new == (1, 1)
    assert get_user_model().objects.filter(email="known@example.org").count() == 1
    assert not EmailAddress.objects.get(email="new@example.org").verified


def test_password_reset_queues_a_message_whether_or_not_the_address_has_an_account(
    client, committed
):
    VerifiedUserFactory(email="forgot@example.org")
    for address in ("forgot@example.org", "nobody@example.org"):
        with committed():
            response = client.post("/en/accounts/password/reset/", {"email": address})
        assert response["Location"] == "/en/accounts/password/reset/done/"
    assert sorted(Email.objects.values_list("to", "status")) == [
        ("forgot@example.org", "sent"),
        ("nobody@example.org", "sent"),
    ]


@requires_redis
def test_with_a_broker_the_request_only_hands_the_message_over(client, mailoutbox, committed):
    server = redis.Redis(db=15)
    with broker("redis://127.0.0.1:6379/15") as queue:
        try:
            with committed():
                response = sign_up(client, "new@example.org")
            assert response.status_code == 302
            assert mailoutbox == []
            email = Email.objects.get()
            assert (email.status, email.attempts) == (Email.Status.QUEUED, 0)
            assert server.llen(queue) == 1
        finally:
            server.delete(queue)


def test_with_the_broker_down_the_request_answers_and_the_message_waits(
    client, mailoutbox, committed
):
    # Nothing listens on port 9: the hand-over fails, the sweep will send it later.
    with broker("redis://127.0.0.1:9/0"), committed():
        response = sign_up(client, "new@example.org")
    assert response.status_code == 302
    assert mailoutbox == []
    assert Email.objects.get().status == Email.Status.QUEUED
