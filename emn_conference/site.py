"""The site's own address, for links in messages (which are read away from the site)."""

from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest

# `make run`'s address: the last resort of a development message built with no request.
DEVELOPMENT_URL = "http://127.0.0.1:8000"


def site_url(*, request: HttpRequest | None = None) -> str:
    """The address links in messages start with, without a trailing slash.

    `SITE_URL` when it is set; production must set it (`check --deploy` fails without it,
    `emn_conference.E001`). In development without it, the address the browser used, taken
    from `request` or else from the request being answered (allauth's middleware keeps it for
    the thread): without a broker, messages are built in-process right after the request's
    transaction commits. A separate worker has no request: set SITE_URL when running one.
    """
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    request = request or allauth_context.request
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return DEVELOPMENT_URL


def absolute_url(path: str, *, request: HttpRequest | None = None) -> str:
    return site_url(request=request) + path
