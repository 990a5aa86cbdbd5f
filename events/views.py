"""Public pages. Views only fetch (through `queries`) and render.

The agenda, the speakers page and the schedule feeds are rendered once per version of their
event and kept in the cache (`page_cache`, `CachedPageMixin`); to visitors who are not signed
in they answer from it without a query, with an `ETag` and `Last-Modified`, and `304 Not
Modified` when the visitor's copy is current.
"""

import zoneinfo
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.utils.formats import date_format
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.views.generic import TemplateView, View

from . import page_cache, queries, schedule
from .forms import AgendaFilterForm


class HomeView(TemplateView):
    template_name = "events/home.html"

    def get_context_data(self, **kwargs):
        events = list(queries.event_list_public().order_by("start_date"))
        # "Past" is judged by the date where each event takes place.
        past = {
            e.pk
            for e in events
            if e.end_date < timezone.localdate(timezone=zoneinfo.ZoneInfo(e.time_zone))
        }
        return super().get_context_data(
            upcoming=[e for e in events if e.pk not in past],
            past=[e for e in reversed(events) if e.pk in past],
            **kwargs,
        )


class EventMixin:
    """Loads the event named in the URL, or 404 (drafts are visible to staff only)."""

    with_session_count = False
    load_event_at_setup = True

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if self.load_event_at_setup:
            self.load_event()

    def load_event(self) -> None:
        self.event = queries.event_get_for_visitor(
            slug=self.kwargs["slug"],
            user=self.request.user,
            with_session_count=self.with_session_count,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(event=self.event, **kwargs)


def _same_for_every_visitor(request: HttpRequest, *, shows_messages: bool) -> bool:
    """Whether the response is the same for anyone who asks for this address. Not for a
    signed-in visitor (the header is theirs, and `PrivateCacheMiddleware` keeps the response
    out of every cache), nor for a page about to show a message (after signing out, say)."""
    if request.user.is_authenticated:
        return False
    return not (shows_messages and len(messages.get_messages(request)))


class CachedPageMixin(EventMixin):
    """A page or feed of an event answered from the cache (`page_cache`) while nothing it
    shows changes.

    The event's version is read first. To a visitor who is not signed in, the response is the
    same for everyone: it carries an `ETag` and `Last-Modified` (304 to a conditional request
    for the current version), and once rendered it is stored whole and served again without
    a query, as long as its address is one of the page's own (`storable`: not any query
    string a link may add). Signed-in visitors get a page rendered for them, around parts
    cached for everyone (`cached_part`).
    """

    load_event_at_setup = False
    shows_messages = True

    def storable(self) -> bool:
        return not self.request.GET

    def dispatch(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        self.version = page_cache.event_version(slug)
        if request.method not in ("GET", "HEAD") or not _same_for_every_visitor(
            request, shows_messages=self.shows_messages
        ):
            self.load_event()
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code == 200:
                page_cache.keep_version(slug, self.version)
            return response
        page = page_cache.entry(
            slug=slug,
            version=self.version,
            parts=["page", request.scheme, request.get_host(), request.get_full_path()],
        )
        if self.version.stored:
            response = None
            if (
                get_conditional_response(request, etag=page.etag, last_modified=page.last_modified)
                is not None
                and page.exists()
            ):
                # Only for an address stored as the page of an event that exists: a 304
                # must not tell that a draft does.
                response = HttpResponseNotModified()
            elif stored := page.get():
                content, content_type = stored
                response = HttpResponse(content, content_type=content_type)
            if response is not None:
                return self._validated(response, page)
        self.load_event()
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code != 200 or not page_cache.keep_version(slug, self.version):
            return response
        if self.storable():
            if hasattr(response, "render"):
                response.render()
            page.set((response.content, response["Content-Type"]))
        return self._validated(
            get_conditional_response(
                request, etag=page.etag, last_modified=page.last_modified, response=response
            ),
            page,
        )

    def _validated(self, response: HttpResponse, page: page_cache.Entry) -> HttpResponse:
        response.headers.setdefault("ETag", page.etag)
        response.headers.setdefault("Last-Modified", http_date(page.last_modified))
        # Kept, but asked about again each time (a 304 costs no query): a change in the
        # admin shows at once, not when a browser's guess of freshness runs out.
        patch_cache_control(response, no_cache=True)
        return response

    def cached_part(self, parts: list[str], make: Callable[[], Any]) -> Any:
        """Part of the page, or a feed, made once per version for every visitor."""
        return page_cache.entry(
            slug=self.event.slug, version=self.version, parts=[*parts, get_language()]
        ).get_or_make(make)


class CachedFragmentMixin(CachedPageMixin):
    """A page whose main part (`fragment_template_name`) is rendered once per version and
    variant, and set into the page, whose header is rendered for each visitor. Each page names
    its template and gives its context (`fragment_context`)."""

    fragment_template_name = ""

    def render_fragment(self, **kwargs) -> str:
        return render_to_string(self.fragment_template_name, self.fragment_context(**kwargs))

    def render_page(self, fragment: str) -> HttpResponse:
        return self.render_to_response(self.get_context_data(fragment=mark_safe(fragment)))  # noqa: S308 - our own rendered template

    def cached_page(self, parts: list[str], **kwargs) -> HttpResponse:
        return self.render_page(self.cached_part(parts, lambda: self.render_fragment(**kwargs)))


class EventDetailView(EventMixin, TemplateView):
    template_name = "events/event_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organisers=self.event.organisers.all(),
            news=queries.announcement_list_for_visitor(event=self.event, user=self.request.user)[
                :3
            ],
            **kwargs,
        )


class AgendaView(CachedFragmentMixin, TemplateView):
    """The agenda, by day. A long one (`queries.agenda_is_long`) opens on one day and links
    to the others and to all days; filters that do not validate are explained, and then
    the agenda shows everything (a long one: its opening day), rendered afresh."""

    template_name = "events/agenda.html"
    fragment_template_name = "events/_agenda.html"
    with_session_count = True

    def get(self, request, *args, **kwargs):
        self.long = queries.agenda_is_long(event=self.event)
        data = request.GET.copy()
        if self.long and not data.get("day"):
            data["day"] = queries.agenda_opening_day(event=self.event).isoformat()
        self.form = form = AgendaFilterForm(data or None, event=self.event, long=self.long)
        if form.is_bound and not form.is_valid():
            day = queries.agenda_opening_day(event=self.event) if self.long else None
            return self.render_page(
                self.render_fragment(form=form, day=day, track=None, language="")
            )
        filters = form.cleaned_data if form.is_bound else {}
        day, track = filters.get("day"), filters.get("track")
        language = filters.get("language", "")
        if day == AgendaFilterForm.ALL_DAYS:
            day = None
        variant = [day.isoformat() if day else "all", str(track.pk) if track else "", language]
        return self.cached_page(
            ["agenda", *variant], form=form, day=day, track=track, language=language
        )

    def storable(self) -> bool:
        # The filters' own addresses only, not whatever else a link adds to them.
        params = self.request.GET
        return (
            set(params) <= {"day", "track", "language"}
            and all(len(params.getlist(name)) == 1 for name in params)
            and (not self.form.is_bound or self.form.is_valid())
        )

    def fragment_context(self, *, form, day, track, language) -> dict:
        agenda_url = reverse("events:agenda", kwargs={"slug": self.event.slug})

        def link(value: str) -> str:
            query = {
                "day": value,
                **({"track": track.pk} if track else {}),
                **({"language": language} if language else {}),
            }
            return f"{agenda_url}?{urlencode(query)}"

        day_links = []
        if self.long:
            shown = day.isoformat() if day else AgendaFilterForm.ALL_DAYS
            all_days, *days = form.fields["day"].choices
            day_links = [(label, link(value), value == shown) for value, label in [*days, all_days]]
        return {
            "event": self.event,
            "form": form,
            "days": queries.agenda_days(
                event=self.event,
                day=day,
                track_id=track.pk if track else None,
                language=language,
            ),
            "day_links": day_links,
            "everything_url": link(AgendaFilterForm.ALL_DAYS) if self.long else agenda_url,
        }


class AgendaGridView(CachedFragmentMixin, TemplateView):
    """One day of the agenda by room and time (`?day=`; by default the day a long agenda
    opens on). A day the event does not have is explained, and the opening day shown."""

    template_name = "events/agenda_grid.html"
    fragment_template_name = "events/_agenda_grid.html"

    def get(self, request, *args, **kwargs):
        days = queries.event_days(event=self.event)
        asked = request.GET.get("day")
        self.day = next((d for d in days if d.isoformat() == asked), None)
        self.unknown_day = asked is not None and self.day is None
        day = self.day or queries.agenda_opening_day(event=self.event)
        if self.unknown_day:
            return self.render_page(self.render_fragment(day=day, days=days))
        return self.cached_page(["grid", day.isoformat()], day=day, days=days)

    def storable(self) -> bool:
        params = self.request.GET
        return set(params) <= {"day"} and len(params.getlist("day")) <= 1 and not self.unknown_day

    def fragment_context(self, *, day, days) -> dict:
        grid_url = reverse("events:agenda_grid", kwargs={"slug": self.event.slug})
        return {
            "event": self.event,
            "grid": queries.agenda_grid(event=self.event, day=day),
            "unknown_day": self.unknown_day,
            "day_links": [
                (
                    capfirst(date_format(d, "l, j E")),
                    f"{grid_url}?{urlencode({'day': d})}",
                    d == day,
                )
                for d in days
            ],
        }


class GridStylesView(CachedPageMixin, View):
    """Where each session sits in the grid, as classes of a stylesheet (pages have no inline
    style): `rs-N`/`re-N` start and end a row line, `cs-N`/`ce-N` a column line, `cols-N`
    gives a day N room columns (`queries.GridDay`). Made once per version of the event."""

    content_type = "text/css; charset=utf-8"
    shows_messages = False

    def get(self, request, *args, **kwargs):
        return HttpResponse(self.cached_part(["grid.css"], self.render_styles), self.content_type)

    def render_styles(self) -> str:
        lines, columns = queries.grid_lines(event=self.event)
        return render_to_string(
            "events/grid.css",
            {
                "lines": range(1, lines + 1),
                "column_lines": range(1, columns + 3),
                "columns": range(1, columns + 1),
            },
        )


class NowView(EventMixin, TemplateView):
    """What is on now and next, for screens at the venue, in the event's time zone. Always
    rendered afresh (never from the cache: the time changes it); a static script reloads
    its content every minute, and a link does the same without JavaScript."""

    template_name = "events/now.html"
    refresh_seconds = 60

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            on=queries.now_and_next(event=self.event),
            refresh_seconds=self.refresh_seconds,
            **kwargs,
        )


class SessionDetailView(EventMixin, TemplateView):
    template_name = "events/session_detail.html"

    def get_context_data(self, **kwargs):
        session = queries.session_page(event=self.event, pk=self.kwargs["pk"])
        return super().get_context_data(session=session, **kwargs)


class SpeakerListView(CachedFragmentMixin, TemplateView):
    template_name = "events/speaker_list.html"
    fragment_template_name = "events/_speaker_list.html"

    def get(self, request, *args, **kwargs):
        return self.cached_page(["speakers"])

    def fragment_context(self) -> dict:
        return {"event": self.event, "speakers": queries.speaker_list_page(event=self.event)}


class SpeakerDetailView(EventMixin, TemplateView):
    template_name = "events/speaker_detail.html"

    def get_context_data(self, **kwargs):
        speaker, sessions = queries.speaker_get_for_event(
            event=self.event, slug=self.kwargs["speaker_slug"]
        )
        return super().get_context_data(speaker=speaker, sessions=sessions, **kwargs)


class NewsListView(EventMixin, TemplateView):
    template_name = "events/news_list.html"

    def get_context_data(self, **kwargs):
        news = queries.announcement_list_for_visitor(event=self.event, user=self.request.user)
        return super().get_context_data(news=news, **kwargs)


class NewsDetailView(EventMixin, TemplateView):
    template_name = "events/news_detail.html"

    def get_context_data(self, **kwargs):
        item = queries.announcement_get_for_visitor(
            event=self.event, slug=self.kwargs["news_slug"], user=self.request.user
        )
        return super().get_context_data(item=item, **kwargs)


class TrackStylesView(EventMixin, TemplateView):
    """Track colours as a stylesheet, so pages need no inline styles (Content-Security-Policy)."""

    template_name = "events/tracks.css"
    content_type = "text/css; charset=utf-8"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tracks=self.event.tracks.all(), **kwargs)


class ScheduleFeedView(CachedPageMixin, View):
    """A feed of the event's schedule, in the language of the URL; each subclass has its
    own `render_feed()` and `content_type`. Built once per version, language and host (its
    links are absolute), for every visitor."""

    content_type = ""
    shows_messages = False

    def feed_parts(self) -> list[str]:
        return [type(self).__name__]

    def get(self, request, *args, **kwargs):
        parts = [*self.feed_parts(), request.scheme, request.get_host()]
        return HttpResponse(self.cached_part(parts, self.render_feed), self.content_type)


class ScheduleICalendarView(ScheduleFeedView):
    content_type = schedule.ICALENDAR_CONTENT_TYPE

    def render_feed(self) -> bytes:
        return schedule.sessions_calendar(
            event=self.event,
            sessions=queries.session_list_for_agenda(event=self.event),
            name=self.event.title,
            request=self.request,
        )


class ScheduleXMLView(ScheduleFeedView):
    content_type = schedule.XML_CONTENT_TYPE

    def render_feed(self) -> bytes:
        return schedule.schedule_xml(
            event=self.event,
            sessions=queries.session_list_for_agenda(event=self.event),
            request=self.request,
        )


class ScheduleJSONView(ScheduleFeedView):
    content_type = schedule.JSON_CONTENT_TYPE

    def render_feed(self) -> bytes:
        return schedule.schedule_json(
            event=self.event,
            sessions=queries.session_list_for_agenda(event=self.event),
            request=self.request,
        )


class SessionICalendarView(ScheduleFeedView):
    """One session as an iCalendar file, for the link on the session page."""

    content_type = schedule.ICALENDAR_CONTENT_TYPE

    def feed_parts(self) -> list[str]:
        return ["session.ics", str(self.kwargs["pk"])]

    def render_feed(self) -> bytes:
        session = queries.session_get_for_event(event=self.event, pk=self.kwargs["pk"])
        return schedule.sessions_calendar(
            event=self.event, sessions=[session], name=session.title, request=self.request
        )
