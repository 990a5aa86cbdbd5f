"""A real Celery worker sends the outbox, with Redis or RabbitMQ as the broker, by URL alone."""

import sys

import pytest
from django.db import connection

from outbox.models import Email
from tests.broker import broker
from tests.mail import smtp_sink
from tests.processes import Process, clean_environment, reachable, wait_until

BROKERS = {
    "redis": ("redis://127.0.0.1:6379/14", 6379),
    "rabbitmq": ("amqp://guest:guest@127.0.0.1:5672//", 5672),
}


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", list(BROKERS))
def test_a_worker_sends_the_queued_message_through_the_broker(kind, tmp_path):
    url, port = BROKERS[kind]
    if not reachable("127.0.0.1", port):
        pytest.skip(f"needs {kind} on 127.0.0.1:{port} (CI starts it)")
    database = connection.settings_dict
    with smtp_sink() as sink, broker(url) as queue:
        env = clean_environment(
            DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}",
            CELERY_BROKER_URL=url,
            EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
            DJANGO_SECRET_KEY="worker-test-key-" + "x" * 40,
        )
        worker = Process(
            "celery worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "emn_conference",
                "worker",
                "-Q",
                queue,
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
            ],
            env=env,
            log=tmp_path / "worker.log",
        )
        worker.start()
        try:
            worker.wait_for_output("ready.", timeout=60)
            email = Email.objects.create(
                to="delegate@example.org",
                from_email="noreply@example.org",
                subject="Потвърдете адреса си",
                body="https://example.org/confirm/",
            )
            from outbox.tasks import deliver

            deliver.delay("outbox.email", email.pk)
            wait_until(lambda: sink.messages, timeout=30, what="the message reaching the sink")
            email.refresh_from_db()
            assert (email.status, email.attempts, email.body) == (Email.Status.SENT, 1, "")
        except BaseException:
            print(worker.tail())
            raise
        finally:
            worker.stop()
    [received] = sink.messages
    assert (received["To"], received["Subject"]) == ("delegate@example.org", "Потвърдете адреса си")
