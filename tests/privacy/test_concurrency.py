"""Accounts deleted while others register, on PostgreSQL: every freed seat goes to one person
in the queue, and the event is never overbooked."""

import pytest

from privacy import services
from registrations import services as registration_services
from registrations.models import Registration
from tests.factories import OpenEventFactory, PrivacyNoticeFactory, VerifiedUserFactory, details
from tests.registrations.test_concurrency import registering, run_at_once

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

Status = Registration.Status


def test_deleting_accounts_during_a_rush_frees_each_seat_exactly_once():
    PrivacyNoticeFactory()
    event = OpenEventFactory(capacity=5)
    holders = VerifiedUserFactory.create_batch(5)
    for user in holders:
        registration_services.registration_create(
            event=event, user=user, details=details(), privacy_accepted=True, by=user
        )
    newcomers = VerifiedUserFactory.create_batch(15)
    jobs = [
        *(lambda user=user: services.account_delete(user=user, by=user) for user in holders),
        *(registering(event, user) for user in newcomers),
    ]
    assert run_at_once(jobs) == []
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count(Status.CONFIRMED) == 5
    assert statuses.count(Status.WAITLISTED) == 10
    assert statuses.count(Status.CANCELLED) == 5
    assert Registration.objects.filter(event=event, anonymised_at__isnull=False).count() == 5
    assert not Registration.objects.filter(event=event, user__in=holders).exists()
