from django import template

from registrations import queries

register = template.Library()


@register.inclusion_tag("registrations/_registration_box.html", takes_context=True)
def registration_box(context, event):
    """The event page's registration panel: open, full (waiting list) or closed."""
    request = context["request"]
    return {
        "event": event,
        "availability": queries.RegistrationAvailability(event=event),
        "registration": queries.registration_for_event_and_user(event=event, user=request.user),
    }
