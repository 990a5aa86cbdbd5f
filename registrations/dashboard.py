"""The organisers' dashboard of an event: its figures (`queries.dashboard_figures`) as
sections, each a chart drawn on the server (`charts`) and the same numbers as a table.

Built in the page's language; nothing here reads the database.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries

from events.formatting import FallbackLanguages, date_range
from events.models import Event, Organisation

from . import charts
from .charts import Series
from .models import Registration
from .queries import DashboardFigures, delegation_places, session_seats

Status = Registration.Status

# Colours with at least 3:1 contrast against white; each status keeps its colour everywhere.
STATUS_COLOURS = {
    Status.CONFIRMED: ("#2e6b30", ""),
    Status.PENDING: ("#b35c00", "8 4"),
    Status.WAITLISTED: ("#0a4d99", "3 3"),
    Status.DECLINED: ("#6b7785", "12 4 3 4"),
    Status.CANCELLED: ("#a4001c", "1 4"),
}
FREE = Series("", "#e6eaef", outline="#4a5561")
# The statuses of those who come or may still come: the breakdowns count these.
ACTIVE = [Status.CONFIRMED, Status.PENDING, Status.WAITLISTED]


def _status_series(status: Status) -> Series:
    colour, dash = STATUS_COLOURS[status]
    return Series(status.label, colour, dash)


@dataclass(frozen=True)
class Row:
    label: str
    values: list
    lang: SafeString | str = ""  # ` lang="xx"` when the label is in a fallback language


@dataclass(frozen=True)
class Section:
    """One part of the dashboard: a heading, a chart with its legend, and its table."""

    slug: str
    title: str
    columns: list[str]  # the rows' header first
    rows: list[Row]
    chart: SafeString | str = ""
    legend: list[tuple[SafeString, str]] = field(default_factory=list)
    note: str = ""
    empty: str = ""  # said instead of the chart and the table when there are no rows


def _legend(series: list[Series], *, lines: bool = False) -> list[tuple[SafeString, str]]:
    return [(charts.swatch(s, line=lines), s.label) for s in series]


def _bars(section_title: str, rows: list[Row], values, series: list[Series]) -> SafeString:
    return charts.bar_chart(
        name=section_title,
        rows=[(row.label, values(row)) for row in rows],
        series=series,
    )


def _by_status(
    *, slug: str, title: str, heading: str, grouped: dict, labels: dict, note: str, empty: str
) -> Section:
    """Active registrations by a key (country, organisation kind), stacked by status."""
    rows = [
        Row(labels[key], [counts.get(status, 0) for status in ACTIVE])
        for key, counts in grouped.items()
    ]
    for row in rows:
        row.values.append(sum(row.values))
    rows.sort(key=lambda row: (-row.values[-1], row.label))
    series = [_status_series(status) for status in ACTIVE]
    return Section(
        slug=slug,
        title=title,
        columns=[heading, *(status.label for status in ACTIVE), _("Total")],
        rows=rows,
        chart=_bars(title, rows, lambda row: row.values[:-1], series),
        legend=_legend(series),
        note=note,
        empty=empty,
    )


def timeline_section(figures: DashboardFigures) -> Section:
    title = _("Registrations over time")
    statuses = [s for s in Status if any(day.get(s) for _d, day in figures.timeline)]
    running = dict.fromkeys(statuses, 0)
    rows, lines = [], {status: [] for status in statuses}
    for day, counts in figures.timeline:
        for status in statuses:
            running[status] += counts.get(status, 0)
            lines[status].append(running[status])
        values = [running[status] for status in statuses]
        rows.append(Row(date_range(day), [*values, sum(values)]))
    series = [_status_series(status) for status in statuses]
    return Section(
        slug="timeline",
        title=title,
        columns=[_("Day"), *(status.label for status in statuses), _("Total")],
        rows=rows,
        chart=charts.line_chart(
            name=title,
            days=[day for day, _counts in figures.timeline],
            lines=list(zip(series, lines.values(), strict=True)),
            day_label=date_range,
        )
        if rows
        else "",
        legend=_legend(series, lines=True),
        note=_(
            "Running totals: each registration counts from the day it was made, under the "
            "status it has now. The table lists the days on which someone registered."
        ),
        empty=_("Nobody has registered yet."),
    )


def country_section(figures: DashboardFigures) -> Section:
    return _by_status(
        slug="countries",
        title=_("By country"),
        heading=_("Country"),
        grouped=figures.by_country,
        labels={code: countries.name(code) or code for code in figures.by_country},
        note=_("Registrations that are confirmed, pending approval or on the waiting list."),
        empty=_("Nobody has registered yet."),
    )


def kind_section(figures: DashboardFigures) -> Section:
    labels = {kind: Organisation.Kind(kind).label for kind in figures.by_kind if kind}
    labels[None] = _("No organisation on record")
    return _by_status(
        slug="organisation-kinds",
        title=_("By kind of organisation"),
        heading=_("Kind of organisation"),
        grouped=figures.by_kind,
        labels=labels,
        note=_(
            "The kind of the organisation of each delegate's delegation; delegates without a "
            "delegation, or whose delegation names no organisation, have none on record."
        ),
        empty=_("Nobody has registered yet."),
    )


def delegation_section(figures: DashboardFigures) -> Section:
    title = _("Delegation quotas")
    marks = FallbackLanguages()
    rows = []
    for delegation in figures.delegations:
        places = delegation_places(delegation=delegation)
        rows.append(
            Row(
                delegation.name,
                [
                    places.used,
                    _("no limit") if places.limit is None else places.limit,
                    "" if places.free is None else places.free,
                ],
                marks.attr(delegation, "name"),
            )
        )
    members = Series(_("Members"), STATUS_COLOURS[Status.CONFIRMED][0])
    free = Series(_("Places free"), FREE.colour, outline=FREE.outline)
    return Section(
        slug="delegations",
        title=title,
        columns=[_("Delegation"), _("Members"), _("Quota"), _("Places free")],
        rows=rows,
        chart=_bars(title, rows, lambda row: [row.values[0], row.values[2] or 0], [members, free]),
        legend=_legend([members, free]),
        note=_("Members are those confirmed, pending approval or on the waiting list."),
        empty=_("The event has no delegations."),
    )


def session_section(figures: DashboardFigures) -> Section:
    title = _("Sessions with sign-up")
    marks = FallbackLanguages()
    rows = []
    for session in figures.sessions:
        seats = session_seats(session=session)
        rows.append(
            Row(
                session.title,
                [seats.used, seats.limit, seats.free, session.n_waitlisted],
                marks.attr(session, "title"),
            )
        )
    taken = Series(_("Seats taken"), STATUS_COLOURS[Status.CONFIRMED][0])
    free = Series(_("Seats free"), FREE.colour, outline=FREE.outline)
    waiting = Series(Status.WAITLISTED.label, STATUS_COLOURS[Status.WAITLISTED][0])
    return Section(
        slug="sessions",
        title=title,
        columns=[_("Session"), _("Seats taken"), _("Seats"), _("Seats free"), _("Waiting")],
        rows=rows,
        chart=_bars(
            title, rows, lambda row: [row.values[i] for i in (0, 2, 3)], [taken, free, waiting]
        ),
        legend=_legend([taken, free, waiting]),
        empty=_("The event has no sessions with sign-up."),
    )


def needs_section(figures: DashboardFigures) -> Section:
    title = _("Needs of confirmed delegates")
    totals = figures.totals
    rows = [
        Row(_("Dietary requirements"), [totals["dietary"]]),
        Row(_("Accessibility needs"), [totals["accessibility"]]),
        *(
            Row(
                _("Interpretation into %(language)s") % {"language": str(name)},
                [totals[f"interpretation_{code}"]],
            )
            for code, name in settings.LANGUAGES
        ),
    ]
    delegates = Series(_("Delegates"), STATUS_COLOURS[Status.CONFIRMED][0])
    return Section(
        slug="needs",
        title=title,
        columns=[_("Need"), _("Delegates")],
        rows=rows,
        chart=_bars(title, rows, lambda row: row.values, [delegates]),
        note=_(
            "What each need is, and who has it, is in the catering, accessibility and "
            "interpretation lists (Export this list, in the registrations admin)."
        ),
    )


def visa_section(figures: DashboardFigures) -> Section:
    title = _("Visa invitation letters")
    totals = figures.totals
    awaiting = totals["visa_requested"] - totals["visa_approved"] - totals["visa_unconfirmed"]
    rows = [
        Row(pgettext("visa letters", "Asked for"), [totals["visa_requested"]]),
        Row(pgettext("visa letters", "Approved"), [totals["visa_approved"]]),
        Row(_("Confirmed, awaiting approval"), [awaiting]),
        Row(_("Registration not confirmed yet"), [totals["visa_unconfirmed"]]),
    ]
    letters = Series(_("Letters"), STATUS_COLOURS[Status.WAITLISTED][0])
    return Section(
        slug="visa-letters",
        title=title,
        columns=[_("Letters"), _("Number")],
        rows=rows,
        chart=_bars(title, rows, lambda row: row.values, [letters]),
        note=_("Letters asked for in registrations that are confirmed, pending or waiting."),
    )


def checkin_hours_section(figures: DashboardFigures) -> Section:
    title = _("Check-ins by day and hour")
    hours: dict[tuple, list[int]] = {}
    for day, hour, session_id, count in figures.checkins:
        hours.setdefault((day, hour), [0, 0])[0 if session_id is None else 1] += count
    rows = [
        Row(
            _("%(day)s, %(start)02d:00–%(end)02d:00")
            % {"day": date_format(day, "j E"), "start": hour, "end": hour + 1},
            [door, sessions, door + sessions],
        )
        for (day, hour), (door, sessions) in sorted(hours.items())
    ]
    door = Series(_("At the door"), STATUS_COLOURS[Status.CONFIRMED][0])
    sessions = Series(_("At sessions"), STATUS_COLOURS[Status.WAITLISTED][0])
    return Section(
        slug="checkins",
        title=title,
        columns=[_("Hour"), _("At the door"), _("At sessions"), _("Total")],
        rows=rows,
        chart=_bars(title, rows, lambda row: row.values[:2], [door, sessions]),
        legend=_legend([door, sessions]),
        note=_(
            "A person counts once a day at the door and once per session: scanning a badge "
            "again adds nothing. Hours are the event's local time."
        ),
        empty=_("Nobody has been checked in yet."),
    )


def checkin_sessions_section(figures: DashboardFigures) -> Section:
    title = _("Check-ins at sessions with sign-up")
    checked_in: dict[int, int] = {}
    for _day, _hour, session_id, count in figures.checkins:
        if session_id is not None:
            checked_in[session_id] = checked_in.get(session_id, 0) + count
    marks = FallbackLanguages()
    rows = []
    # Before the first check-in, a row of zeros per session would say nothing.
    for session in figures.sessions if figures.checkins else []:
        seated = session_seats(session=session).used
        came = checked_in.get(session.pk, 0)
        rows.append(
            Row(session.title, [came, seated, max(seated - came, 0)], marks.attr(session, "title"))
        )
    came = Series(pgettext("dashboard", "Checked in"), STATUS_COLOURS[Status.CONFIRMED][0])
    not_yet = Series(_("Not checked in"), FREE.colour, outline=FREE.outline)
    return Section(
        slug="checkins-sessions",
        title=title,
        columns=[_("Session"), came.label, _("Seats taken"), _("Not checked in")],
        rows=rows,
        chart=_bars(title, rows, lambda row: [row.values[0], row.values[2]], [came, not_yet]),
        legend=_legend([came, not_yet]),
        empty=_("The event has no sessions with sign-up.")
        if figures.checkins
        else _("Nobody has been checked in yet."),
    )


def summary(*, event: Event, figures: DashboardFigures) -> list[Row]:
    """The counts by status, with the seats."""
    totals = figures.totals
    held = sum(totals[status] for status in Registration.SEAT_HOLDING_STATUSES)
    seats = _("unlimited") if event.capacity is None else event.capacity
    return [
        Row(_("Seats"), [seats]),
        Row(_("Seats taken (confirmed and pending)"), [held]),
        *(Row(status.label, [totals[status]]) for status in Status),
    ]


def sections(figures: DashboardFigures) -> list[Section]:
    return [
        timeline_section(figures),
        country_section(figures),
        kind_section(figures),
        delegation_section(figures),
        session_section(figures),
        needs_section(figures),
        visa_section(figures),
        checkin_hours_section(figures),
        checkin_sessions_section(figures),
    ]
