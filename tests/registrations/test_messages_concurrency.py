"""On PostgreSQL, at the same moment: a message form submitted twice, and the reminders' task
run twice, each send once."""

import datetime
import uuid

import pytest

from registrations import services
from registrations.models import Message, Notification, Registration
from tests.factories import OpenEventFactory, PrivacyNoticeFactory, RegistrationFactory
from tests.registrations.test_concurrency import run_at_once
from tests.registrations.test_messages import TEXTS
from tests.registrations.test_reminders import sofia_today

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

TIMES = 8


def test_the_same_form_submitted_many_times_at_once_writes_one_message(transactional_db):
    PrivacyNoticeFactory()
    event = OpenEventFactory()
    RegistrationFactory.create_batch(3, event=event)
    key = uuid.uuid4()
    outcomes = []

    def submit():
        message, sent = services.message_send(
            key=key,
            event=event,
            texts=TEXTS,
            registrations=Registration.objects.all(),
            filters={},
            audience=[],
            by=None,
        )
        outcomes.append((message.pk, sent))

    assert run_at_once([submit] * TIMES) == []
    message = Message.objects.get()
    assert sorted(outcomes) == sorted([(message.pk, True)] + [(message.pk, False)] * (TIMES - 1))
    assert message.recipients.count() == 3


def test_reminders_run_many_times_at_once_queue_one_per_delegate(transactional_db):
    PrivacyNoticeFactory()
    start = sofia_today() + datetime.timedelta(days=1)
    event = OpenEventFactory(start_date=start, end_date=start, registration_closes=None)
    RegistrationFactory.create_batch(5, event=event)
    counts = []
    assert run_at_once([lambda: counts.append(services.reminders_queue())] * TIMES) == []
    assert sum(counts) == 5
    assert Notification.objects.filter(kind=Notification.Kind.REMINDER).count() == 5
