from django.conf import settings
from django.template.response import TemplateResponse

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
