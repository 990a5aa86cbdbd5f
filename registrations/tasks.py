"""Celery tasks of the registrations: large exports and badge runs, their clean-up, the
reminders before events and delegations' nomination deadlines."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def export_job_run(job_id: str) -> str:
    return services.export_job_run(job_id=job_id).status


@shared_task(ignore_result=True)
def export_jobs_expire() -> int:
    return services.export_jobs_expire()


@shared_task(ignore_result=True)
def reminders_send() -> int:
    return services.reminders_queue()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def message_hand_out(message_id: int) -> int:
    return services.message_hand_out(message_id=message_id)


@shared_task(ignore_result=True)
def nomination_deadlines_run() -> dict[str, int]:
    return services.nomination_deadlines_run()
