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
    path("events/<slug:slug>/dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("privacy/", views.SitePrivacyNoticeView.as_view(), name="privacy_notice_site"),
    path("privacy/accept/", views.PrivacyNoticeAcceptView.as_view(), name="privacy_accept"),
    path(
        "events/<slug:slug>/participants/",
        views.ParticipantListView.as_view(),
        name="participants",
    ),
    path(
        "events/<slug:slug>/delegations/<int:pk>/",
        views.DelegationView.as_view(),
        name="delegation",
    ),
    path(
        "events/<slug:slug>/delegations/<int:pk>/letter/",
        views.DelegationLetterView.as_view(),
        name="delegation_letter",
    ),
    path(
        "events/<slug:slug>/delegations/<int:pk>/letter.pdf",
        views.DelegationLetterDownloadView.as_view(),
        name="delegation_letter_download",
    ),
    path(
        "events/<slug:slug>/delegations/<int:pk>/members/<str:reference>/withdraw/",
        views.DelegationMemberWithdrawView.as_view(),
        name="delegation_member_withdraw",
    ),
    path(
        "events/<slug:slug>/delegations/<int:pk>/members/<str:reference>/replace/",
        views.DelegationMemberReplaceView.as_view(),
        name="delegation_member_replace",
    ),
    path(
        "events/<slug:slug>/delegations/<int:pk>/invitations/<int:nomination>/withdraw/",
        views.DelegationNominationWithdrawView.as_view(),
        name="delegation_nomination_withdraw",
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
    path(
        "registrations/<str:reference>/listing/",
        views.ListingConsentView.as_view(),
        name="listing_consent",
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
        "registrations/<str:reference>/certificate.pdf",
        views.CertificateView.as_view(),
        name="certificate",
    ),
    path("verify/<slug:token>/", views.DocumentVerifyView.as_view(), name="verify"),
    path(
        "registrations/<str:reference>/cancel/",
        views.RegistrationCancelView.as_view(),
        name="cancel",
    ),
]
