"""A registration rush on PostgreSQL: capacity, sign-up seats and quotas hold under load.

Each thread has its own database connection and starts at the same moment (a barrier), so
the requests really overlap; the row locks in the services must queue them.
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from registrations import services
from registrations.models import Registration, SessionSignup
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    SessionFactory,
    VerifiedUserFactory,
    details,
)

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

THREADS = 40


def run_at_once(jobs) -> list[Exception]:
    """Runs each job in its own thread, all released together; returns what they raised."""
    barrier = threading.Barrier(len(jobs))
    raised = []

    def worker(job):
        try:
            barrier.wait()
            job()
        except Exception as error:
            raised.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return raised


def registering(event, user, **kwargs):
    return lambda: services.registration_create(
        event=event, user=user, details=details(), privacy_accepted=True, by=user, **kwargs
    )


@pytest.fixture(autouse=True)
def privacy_notice(transactional_db):
    return PrivacyNoticeFactory()


def test_rush_on_an_event_confirms_exactly_its_capacity():
    event = OpenEventFactory(capacity=10)
    users = VerifiedUserFactory.create_batch(THREADS)
    assert run_at_once([registering(event, user) for user in users]) == []
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count(Registration.Status.CONFIRMED) == 10
    assert statuses.count(Registration.Status.WAITLISTED) == 30


def test_rush_on_a_workshop_confirms_exactly_its_seats():
    event = OpenEventFactory(capacity=None)
    workshop = SessionFactory(event=event, capacity=7)
    users = VerifiedUserFactory.create_batch(THREADS)
    assert run_at_once([registering(event, user, sessions=[workshop]) for user in users]) == []
    signups = list(SessionSignup.objects.filter(session=workshop).values_list("status", flat=True))
    assert signups.count(SessionSignup.Status.CONFIRMED) == 7
    assert signups.count(SessionSignup.Status.WAITLISTED) == 33


def test_rush_on_a_delegation_admits_exactly_its_quota():
    event = OpenEventFactory(capacity=None)
    delegation = DelegationFactory(event=event, quota=10)
    users = VerifiedUserFactory.create_batch(THREADS)
    raised = run_at_once(
        [registering(event, user, invitation_code=delegation.invitation_code) for user in users]
    )
    assert len(raised) == 30
    assert all(isinstance(error, ValidationError) for error in raised)
    assert delegation.registrations.count() == 10


def test_concurrent_cancellations_promote_exactly_one_each():
    event = OpenEventFactory(capacity=10)
    confirmed = RegistrationFactory.create_batch(10, event=event)
    for _ in range(30):
        services.registration_create(
            event=event,
            user=VerifiedUserFactory(),
            details=details(),
            privacy_accepted=True,
            by=None,
        )
    leaving = confirmed[:5]
    jobs = [lambda r=r: services.registration_cancel(by=None, registration=r) for r in leaving]
    assert run_at_once(jobs) == []
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count(Registration.Status.CANCELLED) == 5
    assert statuses.count(Registration.Status.CONFIRMED) == 10
    assert statuses.count(Registration.Status.WAITLISTED) == 25


def test_registering_and_cancelling_at_once_never_overbooks():
    event = OpenEventFactory(capacity=10)
    confirmed = RegistrationFactory.create_batch(10, event=event)
    newcomers = VerifiedUserFactory.create_batch(30)
    jobs = [registering(event, user) for user in newcomers]
    jobs += [
        lambda r=r: services.registration_cancel(by=None, registration=r) for r in confirmed[:10]
    ]
    assert run_at_once(jobs) == []
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count(Registration.Status.CONFIRMED) == 10
    assert statuses.count(Registration.Status.WAITLISTED) == 20


def test_a_rush_of_members_and_others_keeps_the_delegations_places_and_the_capacity():
    event = OpenEventFactory(
        capacity=10, nomination_deadline=timezone.now() + datetime.timedelta(days=5)
    )
    delegation = DelegationFactory(event=event, quota=4)
    members = VerifiedUserFactory.create_batch(10)
    others = VerifiedUserFactory.create_batch(30)
    jobs = [registering(event, u, invitation_code=delegation.invitation_code) for u in members]
    jobs += [registering(event, user) for user in others]
    raised = run_at_once(jobs)
    assert len(raised) == 6  # members beyond the quota are refused
    held = Registration.objects.filter(event=event).holding_seats()
    assert held.filter(delegation=delegation).count() == 4
    assert held.filter(delegation__isnull=True).count() == 6
    assert Registration.objects.filter(event=event).count() == 34


def test_concurrent_withdrawals_and_nominations_never_promise_more_than_the_quota():
    event = OpenEventFactory(
        capacity=10, nomination_deadline=timezone.now() + datetime.timedelta(days=5)
    )
    head = VerifiedUserFactory()
    delegation = DelegationFactory(event=event, quota=3, head=head)
    members = [
        services.registration_create(
            event=event,
            user=VerifiedUserFactory(),
            details=details(),
            privacy_accepted=True,
            invitation_code=delegation.invitation_code,
            by=None,
        )
        for _ in range(2)
    ]
    jobs = [
        lambda m=m: services.delegation_member_withdraw(
            delegation=delegation, registration=m, by=head
        )
        for m in members
    ]
    jobs += [
        lambda n=n: services.delegation_member_nominate(
            delegation=delegation,
            email=f"nominee{n}@example.org",
            given_name="Maria",
            family_name="Petrova",
            language="en",
            by=head,
        )
        for n in range(10)
    ]
    raised = run_at_once(jobs)
    assert all(isinstance(error, ValidationError) for error in raised)
    invited = delegation.nominations.count()
    assert delegation.registrations.active().count() == 0
    assert 1 <= invited <= 3
    assert len(raised) == 10 - invited
