from urllib.parse import quote, urlsplit

from django import template
from django.http import Http404
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from emn_conference.site import absolute_url
from events import queries as event_queries
from registrations import queries

register = template.Library()

REGISTER_VIEW = "registrations:register"


@register.inclusion_tag("registrations/_registration_box.html", takes_context=True)
def registration_box(context, event):
    """The event page's registration panel: open, full (waiting list) or closed."""
    request = context["request"]
    return {
        "event": event,
        "availability": queries.RegistrationAvailability(event=event),
        "registration": queries.registration_for_event_and_user(event=event, user=request.user),
    }


def _next_of(request) -> str:
    """Where the visitor was going: the `next` of a sign-in or sign-up page, or, on the
    register form itself (an account whose address is not verified yet), that form."""
    if request is None:
        return ""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target and request.method == "GET":
        match = request.resolver_match
        if match is not None and match.view_name == REGISTER_VIEW:
            target = request.get_full_path()
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return target


@register.simple_tag(takes_context=True)
def registration_intent(context):
    """The event whose register form the visitor was on their way to, if that is where the
    sign-in (or sign-up) page will send them back; None otherwise."""
    request = context.get("request")
    target = _next_of(request)
    if not target:
        return None
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return None
    if match.view_name != REGISTER_VIEW:
        return None
    try:
        return event_queries.event_get_for_visitor(slug=match.kwargs["slug"], user=request.user)
    except Http404:
        return None


@register.simple_tag(takes_context=True)
def url_keeping_next(context, url: str) -> str:
    """`url` (the link in the address-verification message) carrying on where the visitor
    was going, so that confirming in another browser, or after the sign-in has timed out,
    still leads back there (allauth's confirmation page follows `next`)."""
    target = _next_of(context.get("request"))
    if not target:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}next={quote(target, safe='/')}"


@register.simple_tag
def site_privacy_notice_url() -> str:
    """The full address of the site's privacy notice, for the footer of account messages."""
    return absolute_url(reverse("registrations:privacy_notice_site"))
