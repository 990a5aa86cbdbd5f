"""Public pages. Views only fetch (through `queries`) and render."""

import itertools
import zoneinfo

from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView, View

from . import queries, schedule
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

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.event = queries.event_get_for_visitor(slug=kwargs["slug"], user=request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(event=self.event, **kwargs)


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


class AgendaView(EventMixin, TemplateView):
    template_name = "events/agenda.html"

    def get_context_data(self, **kwargs):
        form = AgendaFilterForm(self.request.GET or None, event=self.event)
        filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
        track = filters.get("track")
        sessions = queries.session_list_for_agenda(
            event=self.event, day=filters.get("day"), track_id=track.pk if track else None
        )
        tz = zoneinfo.ZoneInfo(self.event.time_zone)
        days = [
            (day, list(day_sessions))
            for day, day_sessions in itertools.groupby(
                sessions, key=lambda s: timezone.localtime(s.start, tz).date()
            )
        ]
        return super().get_context_data(form=form, days=days, **kwargs)


class SessionDetailView(EventMixin, TemplateView):
    template_name = "events/session_detail.html"

    def get_context_data(self, **kwargs):
        session = queries.session_get_for_event(event=self.event, pk=self.kwargs["pk"])
        return super().get_context_data(session=session, **kwargs)


class SpeakerListView(EventMixin, TemplateView):
    template_name = "events/speaker_list.html"

    def get_context_data(self, **kwargs):
        speakers = queries.speaker_list_for_event(event=self.event)
        return super().get_context_data(speakers=speakers, **kwargs)


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


class ScheduleFeedView(EventMixin, View):
    """A feed of the event's schedule, in the language of the URL; each subclass has its
    own `render_feed()` and `content_type`."""

    content_type = ""

    def get(self, request, *args, **kwargs):
        return HttpResponse(self.render_feed(), content_type=self.content_type)


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

    def render_feed(self) -> bytes:
        session = queries.session_get_for_event(event=self.event, pk=self.kwargs["pk"])
        return schedule.sessions_calendar(
            event=self.event, sessions=[session], name=session.title, request=self.request
        )
