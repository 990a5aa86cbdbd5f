"""The public agenda, speakers page and schedule feeds, rendered once per change and kept in
the cache (Django's: Redis in production, local memory by default).

Each event has a version in the cache, under its address (`event-version:<slug>`): a random
token and the time of the last change. What those pages show is cached under keys that hold
the token, so a new token makes every copy of the old content unreachable at once, in every
process that shares the cache; old copies expire on their own. The token is also the pages'
`ETag`, and the time their `Last-Modified`. Keyed by the slug, not the id, so that a request
reads the version before anything else, the event included: what it renders afterwards is at
least as new as the version it is stored under, and a page already stored is served without
asking the database (events/views.py `CachedPageMixin`).

Whatever changes something those pages show calls `events_changed()` with the events
concerned, found by `events_showing()` before the change and after it (a renamed event has
two addresses): the admin's saves and deletions (events/admin.py), the demo loader, and any
service or script that writes the agenda. The new tokens are set once the transaction
commits. A version lost or evicted just means a new token (everything is rendered afresh); a
version lives at most a day, which bounds how long a change written behind the admin's back
(the shell, a query's `update()`) can go unseen.
"""

import datetime
import functools
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.cache import cache, caches
from django.db import models, transaction
from django.utils import timezone

from .models import (
    Announcement,
    Event,
    Organisation,
    Room,
    Session,
    SessionInterpretation,
    SessionMaterial,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)

VERSION_KEY = "event-version:{}"
# Renderings are also kept in each process (settings.CACHES["rendered"]): a key names its
# version, so a copy found there is current; only the version is read from the shared cache.
local = caches["rendered"]
# A day: the longest a change written without `events_changed()` can stay unseen.
VERSION_SECONDS = 24 * 60 * 60
# Rendered copies expire sooner than their version, so that rarely read ones free the cache.
RENDERED_SECONDS = 60 * 60

# For each agenda model, the paths from Event to it: the events whose pages show an object.
_SHOWN_BY = {
    Event: ["pk"],
    Session: ["sessions"],
    Track: ["tracks"],
    Announcement: ["announcements"],
    SessionSpeaker: ["sessions__appearances"],
    SessionInterpretation: ["sessions__interpretations"],
    SessionMaterial: ["sessions__materials"],
    Speaker: ["sessions__appearances__speaker"],
    Organisation: ["organisers", "sessions__appearances__speaker__organisation"],
    Venue: ["venue", "sessions__room__venue"],
    Room: ["venue__rooms", "sessions__room"],
}


@dataclass(frozen=True)
class Version:
    token: str
    changed_at: datetime.datetime
    # False for a version made for this request, stored only once the event is known to
    # exist (`keep_version`): addresses of no event leave nothing in the cache.
    stored: bool = True


def _new_version() -> tuple[str, datetime.datetime]:
    # Random, not a counter: two servers, or a version evicted and made again, never
    # reuse a token that named other content.
    return secrets.token_hex(8), timezone.now().replace(microsecond=0)


def event_version(slug: str) -> Version:
    value = cache.get(VERSION_KEY.format(slug))
    if value is None:
        return Version(*_new_version(), stored=False)
    return Version(*value)


def keep_version(slug: str, version: Version) -> bool:
    """Stores a version made for this request, now that the event has answered; whether
    `version` is the one stored (not if another request or a change stored one meanwhile)."""
    if version.stored:
        return True
    value = (version.token, version.changed_at)
    key = VERSION_KEY.format(slug)
    cache.add(key, value, timeout=VERSION_SECONDS)
    return cache.get(key) == value


def _bump(slugs: list[str]) -> None:
    keys = [VERSION_KEY.format(slug) for slug in slugs]
    previous = cache.get_many(keys)
    versions = {}
    for key in keys:
        token, changed_at = _new_version()
        if key in previous:
            # HTTP dates are whole seconds: a second change within the second of the first
            # must still be later, or a client asking "modified since?" would be told no.
            changed_at = max(changed_at, previous[key][1] + datetime.timedelta(seconds=1))
        versions[key] = (token, changed_at)
    cache.set_many(versions, VERSION_SECONDS)


def events_changed(slugs: Iterable[str]) -> None:
    """Gives the events at these addresses a new version once the current transaction
    commits (at once outside one): their pages and feeds are rendered afresh."""
    slugs = sorted(set(slugs))
    if slugs:
        transaction.on_commit(functools.partial(_bump, slugs))


def events_showing(model: type[models.Model], pks: Iterable) -> set[str]:
    """The addresses (slugs) of the events whose public pages or feeds show these objects
    of `model`, from the database: ask before a change (or a deletion) and after it, and
    pass both to `events_changed()`. Nothing for a model the public pages do not show."""
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return set()
    found: set[str] = set()
    for path in _SHOWN_BY.get(model, []):
        events = Event.objects.filter(**{f"{path}__in": pks})
        found.update(events.values_list("slug", flat=True).distinct())
    return found


def _release() -> str:
    # In development templates change under a running server, which reloads only for code.
    return _release_digest.__wrapped__() if settings.DEBUG else _release_digest()


@functools.cache
def _release_digest() -> str:
    """A digest of what turns the agenda's rows into pages: templates, translations, this
    app's code and Django's. A deployment that changes any of them changes every key and
    `ETag`, so no page rendered by the previous release is served or confirmed (304) after
    it. Contents, not times: every server of one release agrees."""
    digest = hashlib.sha256(django.get_version().encode())
    base = Path(settings.BASE_DIR)
    app = Path(__file__).resolve().parent
    files = [
        *base.glob("templates/**/*"),
        *base.glob("locale/**/*.mo"),
        *app.glob("**/*.py"),
        Path(settings.STATIC_ROOT) / "staticfiles.json",
    ]
    for path in sorted(p for p in files if p.is_file()):
        digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    """One cached rendering: its key in the cache and its HTTP validators."""

    key: str
    etag: str
    last_modified: int  # a timestamp, as HTTP dates have it: whole seconds

    def get(self) -> Any:
        value = local.get(self.key)
        if value is None:
            value = cache.get(self.key)
            if value is not None:
                local.set(self.key, value, timeout=RENDERED_SECONDS)
        return value

    def exists(self) -> bool:
        return local.has_key(self.key) or cache.has_key(self.key)

    def set(self, value: Any) -> None:
        cache.set(self.key, value, timeout=RENDERED_SECONDS)
        local.set(self.key, value, timeout=RENDERED_SECONDS)

    def get_or_make(self, make: Callable[[], Any]) -> Any:
        value = self.get()
        if value is None:
            value = make()
            self.set(value)
        return value


def entry(*, slug: str, version: Version, parts: Iterable[str]) -> Entry:
    """The cache entry for one rendering of an event's page, part of a page or feed, in
    the version read at the start of the request: `parts` name what else it depends on
    (the address, the language, the filters...)."""
    name = hashlib.sha256("\x1f".join([_release(), *parts]).encode()).hexdigest()[:32]
    return Entry(
        key=f"event-page:{slug}:{version.token}:{name}",
        etag=f'"{version.token}-{name[:16]}"',
        last_modified=int(version.changed_at.timestamp()),
    )
