"""Staff reach the admin only with a second factor (settings.STAFF_MFA_REQUIRED)."""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# The kinds that are a second factor on their own, as allauth's log-in stage counts them:
# recovery codes only stand in for one.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


class StaffMFARequiredMiddleware:
    """Sends a staff member without an activated authenticator from any admin page to set one up.

    The admin shows every delegate's personal data, so a stolen password alone must not open
    it. allauth asks for the code at every sign-in once an authenticator is active; this makes
    activating one the condition for the admin. Other pages are left alone, and cost nothing:
    the check runs only for URLs of the admin, and only then reads the user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.STAFF_MFA_REQUIRED:
            return None
        match = request.resolver_match
        # Signing out of the admin needs no second factor.
        if match is None or "admin" not in match.app_names or match.url_name == "logout":
            return None
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return None
        if is_mfa_enabled(user, SECOND_FACTORS):
            return None
        messages.warning(
            request,
            _(
                "The administration shows delegates' personal data, so staff accounts must be "
                "protected by two-factor authentication. Activate an authenticator app to "
                "continue."
            ),
        )
        return redirect("mfa_activate_totp")


class ClearSiteDataOnLogoutMiddleware:
    """Signing out also clears what the site's scripts kept in the browser (the check-in
    page's list of badges and its offline scans): `Clear-Site-Data: "storage"` on the answer
    to the log-out, the site's or the admin's. Cookies are Django's to end (the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":  # signing out is a POST; other requests pay nothing
            return self.get_response(request)
        was_signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if was_signed_in and not request.user.is_authenticated:
            response["Clear-Site-Data"] = '"storage"'
        return response
