"""Celery task of the retention purge, run once a day by beat (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def personal_data_purge() -> int:
    """Applies every event's retention periods; returns how many steps changed something."""
    return len(services.personal_data_purge())
