from django.http import HttpResponseBadRequest
from django.utils.cache import patch_cache_control


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


# Pages reached without signing in, by a secret key in their address, that show an account's
# data (its email address): no cache may keep them either.
SECRET_ADDRESS_URL_NAMES = frozenset({"account_confirm_email", "account_reset_password_from_key"})


class PrivateCacheMiddleware:
    """Marks `Cache-Control: private, no-store` on every response to a signed-in visitor and on
    the account pages reached by a secret key, unless the view chose its own Cache-Control.

    Those responses carry personal data (names, registrations, documents, the account's own
    address): neither a shared cache nor the browser's disk may keep a copy. Pages for anonymous
    visitors are the same for everyone and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        match = request.resolver_match
        if (user is not None and user.is_authenticated) or (
            match is not None and match.url_name in SECRET_ADDRESS_URL_NAMES
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response
