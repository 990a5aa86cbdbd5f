"""Deployment checks for running on several processes and servers (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# Caches that live inside one process: each gunicorn worker and each app server has its own.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.security, Tags.caches, deploy=True)
def cache_is_shared(app_configs, **kwargs):
    """allauth's rate limits count in the cache: per process, each worker allows the limit again."""
    backend = settings.CACHES["default"]["BACKEND"]
    if not settings.DEBUG and backend in PER_PROCESS_CACHES:
        return [
            Warning(
                f"The cache ({backend.rsplit('.', 1)[-1]}) is not shared between processes, so "
                "each worker and server counts the sign-in rate limits on its own.",
                hint="Set REDIS_URL (or CACHE_URL) to a Redis that every app server reaches, "
                "e.g. redis://redis.internal:6379/1.",
                id="emn_conference.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def site_url_is_https(app_configs, **kwargs):
    """Links in emails (verification, password reset, calendar feeds) are built from SITE_URL."""
    if not settings.DEBUG and settings.SITE_URL and not settings.SITE_URL.startswith("https://"):
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: links in emails would not lead to the "
                "site over HTTPS.",
                hint="Set SITE_URL to the public address, e.g. https://conference.example.org.",
                id="emn_conference.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def site_url_is_set(app_configs, **kwargs):
    """Messages are built by workers, away from any request: only SITE_URL says where the site
    is. (In development, unset, links follow the address being served: emn_conference/site.py.)"""
    if not settings.DEBUG and not settings.SITE_URL:
        return [
            Error(
                "SITE_URL is not set: links in emails (verification, registrations, "
                "delegations, calendar feeds) would not lead to the site.",
                hint="Set SITE_URL to the public address, e.g. https://conference.example.org.",
                id="emn_conference.E001",
            )
        ]
    return []
