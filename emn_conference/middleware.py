from django.http import HttpResponseBadRequest


class RejectNullBytesMiddleware:
    """Answers 400 to a path, query string, cookie or form holding a NUL byte.

    No text field can contain one, and PostgreSQL refuses it with an error deep inside any
    query that uses the value; refusing the request up front keeps that from being a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if (
            "\x00" in request.path
            or "\x00" in query
            or "%00" in query
            or any("\x00" in value for value in request.COOKIES.values())
        ):
            return HttpResponseBadRequest("Bad request")
        if request.method == "POST" and any(
            "\x00" in value for values in request.POST.lists() for value in values[1]
        ):
            return HttpResponseBadRequest("Bad request")
        return self.get_response(request)
