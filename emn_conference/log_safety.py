"""Keeping secrets out of the logs: the access log (gunicorn.conf.py) and Django's own.

A calendar token, a verification or password-reset key, or an invitation code in a logged URL
could be used by whoever reads the logs. Plain Python, no Django: gunicorn imports it too.
"""

import logging
import re

# Paths that carry a secret: whoever reads it can use it. The replacement keeps the route.
SECRET_PATHS = [
    # A delegate's personal calendar feed: /<lang>/calendar/<token>.ics
    (re.compile(r"(/calendar/)[^/?#]+(\.ics)"), r"\1[secret]\2"),
    # allauth's email verification and password reset links.
    (re.compile(r"(/accounts/confirm-email/)[^/?#\s]+"), r"\1[secret]"),
    (re.compile(r"(/accounts/password/reset/key/)(?!done/)[^/?#\s]+"), r"\1[secret]"),
]


def safe_url(url: str) -> str:
    """The URL without its query string (invitation codes travel there) or secret path parts."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    return safe_text(path)


def safe_text(text: str) -> str:
    """Any text (a log message) with the secret parts of the paths in it replaced."""
    for pattern, replacement in SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return re.sub(r"([?&]invitation=)[^&\s\"']+", r"\1[secret]", text)


class SecretPathFilter(logging.Filter):
    """Cleans Django's log records, e.g. "Not Found: /en/calendar/<token>.ics"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = safe_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(safe_text(a) if isinstance(a, str) else a for a in record.args)
        return True
