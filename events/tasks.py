"""Celery tasks of the agenda."""

import datetime

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import page_cache, queries

CHECKED_KEY = "materials-public-checked-at"


@shared_task(ignore_result=True)
def materials_published() -> int:
    """Renews the cached pages of the events whose materials have just become public (by
    their time, or when their session ended), which no save announced. Run by Celery beat;
    it goes on from where its last run stopped, so a pause of beat loses nothing."""
    now = timezone.now()
    every = datetime.timedelta(seconds=settings.MATERIALS_PUBLISH_EVERY)
    since = cache.get(CHECKED_KEY) or now - 2 * every
    slugs = queries.events_with_materials_public_between(since=since, until=now)
    page_cache.events_changed(slugs)
    cache.set(CHECKED_KEY, now, timeout=None)
    return len(slugs)
