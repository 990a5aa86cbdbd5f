"""Celery tasks of the outbox: send one message; re-queue the ones whose task was lost."""

import logging

from celery import shared_task

from . import delivery

logger = logging.getLogger(__name__)


# acks_late: a worker killed mid-task leaves the task to the broker to hand out again (the
# claim in `delivery.deliver` keeps that from sending twice once the message is marked sent).
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver(self, label: str, pk: int) -> str:
    outcome = delivery.deliver(label=label, pk=pk)
    if outcome.status == "retry" and not self.request.is_eager:
        # In-process (no broker) nobody could wait for the countdown: the sweep retries.
        deliver.apply_async((label, pk), countdown=outcome.retry_in)
    return outcome.status


@shared_task(ignore_result=True)
def sweep() -> int:
    due = delivery.due_for_sweep()
    for label, pk in due:
        deliver.delay(label, pk)
    if due:
        logger.info("Re-queued %s messages", len(due))
    return len(due)
