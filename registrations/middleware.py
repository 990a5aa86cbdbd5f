from django.conf import settings
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from . import queries
from .services import EventBusy


class EventBusyMiddleware:
    """Answers 503 with Retry-After when a change waited too long for its event's lock.

    Nothing was saved (the transaction rolled back), so trying again is safe.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, EventBusy):
            return None
        response = TemplateResponse(request, "registrations/busy.html", status=503)
        response["Retry-After"] = str(max(1, round(settings.EVENT_LOCK_TIMEOUT)))
        return response.render()


class NewPrivacyNoticeMiddleware:
    """Asks a signed-in delegate to accept a newer privacy notice at their next visit.

    When a registration for an event still to come was made under another notice than the
    one now in force for that event (a new version was published, or the event got its own),
    opening one of the site's main pages leads first to the page that shows the new notice,
    and back once it is accepted. Only those pages: documents, feeds, the notice itself,
    cancelling and the account's own pages (to see, download or delete one's data) stay
    reachable without accepting. It costs one query, for signed-in visitors on those pages.
    """

    PAGES = frozenset(
        {
            "events:home",
            "events:detail",
            "events:agenda",
            "registrations:register",
            "registrations:mine",
            "registrations:detail",
            "registrations:edit",
            "registrations:delegation",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "GET" or match is None or match.view_name not in self.PAGES:
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        if not queries.registrations_awaiting_notice(user=user).exists():
            return None
        accept = reverse("registrations:privacy_accept")
        return redirect(f"{accept}?{urlencode({'next': request.get_full_path()})}")
