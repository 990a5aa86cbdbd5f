from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("events/<slug:slug>/agenda/", views.AgendaView.as_view(), name="agenda"),
    path("events/<slug:slug>/grid/", views.AgendaGridView.as_view(), name="agenda_grid"),
    path("events/<slug:slug>/grid.css", views.GridStylesView.as_view(), name="grid_styles"),
    path("events/<slug:slug>/now/", views.NowView.as_view(), name="now"),
    path("events/<slug:slug>/tracks.css", views.TrackStylesView.as_view(), name="track_styles"),
    path(
        "events/<slug:slug>/sessions/<int:pk>/",
        views.SessionDetailView.as_view(),
        name="session",
    ),
    path(
        "events/<slug:slug>/sessions/<int:pk>/calendar.ics",
        views.SessionICalendarView.as_view(),
        name="session_ics",
    ),
    path(
        "events/<slug:slug>/schedule.ics",
        views.ScheduleICalendarView.as_view(),
        name="schedule_ics",
    ),
    path("events/<slug:slug>/schedule.xml", views.ScheduleXMLView.as_view(), name="schedule_xml"),
    path(
        "events/<slug:slug>/schedule.json", views.ScheduleJSONView.as_view(), name="schedule_json"
    ),
    path("events/<slug:slug>/speakers/", views.SpeakerListView.as_view(), name="speakers"),
    path(
        "events/<slug:slug>/speakers/<slug:speaker_slug>/",
        views.SpeakerDetailView.as_view(),
        name="speaker",
    ),
    path("events/<slug:slug>/news/", views.NewsListView.as_view(), name="news"),
    path(
        "events/<slug:slug>/news/<slug:news_slug>/",
        views.NewsDetailView.as_view(),
        name="news_detail",
    ),
]
