from django.urls import path

from . import views

app_name = "registrations"

urlpatterns = [
    path("events/<slug:slug>/register/", views.RegisterView.as_view(), name="register"),
    path(
        "events/<slug:slug>/privacy/",
        views.EventPrivacyNoticeView.as_view(),
        name="privacy_notice",
    ),
    path("privacy/", views.SitePrivacyNoticeView.as_view(), name="privacy_notice_site"),
    path("privacy/accept/", views.PrivacyNoticeAcceptView.as_view(), name="privacy_accept"),
    path(
        "events/<slug:slug>/delegations/<int:pk>/",
        views.DelegationView.as_view(),
        name="delegation",
    ),
    path("events/<slug:slug>/checkin/", views.CheckInView.as_view(), name="checkin"),
    path(
        "events/<slug:slug>/checkin/admissible.json",
        views.CheckInListView.as_view(),
        name="checkin_list",
    ),
    path("events/<slug:slug>/checkin/sync/", views.CheckInSyncView.as_view(), name="checkin_sync"),
    path(
        "events/<slug:slug>/checkin/<str:reference>/badge.pdf",
        views.CheckInBadgeView.as_view(),
        name="checkin_badge",
    ),
    path("registrations/", views.MyRegistrationsView.as_view(), name="mine"),
    path(
        "calendar/<str:token>.ics", views.PersonalCalendarView.as_view(), name="personal_calendar"
    ),
    path("registrations/<str:reference>/", views.RegistrationDetailView.as_view(), name="detail"),
    path("registrations/<str:reference>/edit/", views.RegistrationEditView.as_view(), name="edit"),
    path(
        "registrations/<str:reference>/calendar-address/",
        views.CalendarAddressRenewView.as_view(),
        name="calendar_renew",
    ),
    path("registrations/<str:reference>/badge.pdf", views.BadgeView.as_view(), name="badge"),
    path(
        "registrations/<str:reference>/confirmation.pdf",
        views.ConfirmationView.as_view(),
        name="confirmation",
    ),
    path(
        "registrations/<str:reference>/visa-letter.pdf",
        views.VisaLetterView.as_view(),
        name="visa_letter",
    ),
    path(
        "registrations/<str:reference>/cancel/",
        views.RegistrationCancelView.as_view(),
        name="cancel",
    ),
]
