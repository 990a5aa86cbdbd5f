"""Template helpers for bilingual pages."""

from django import template
from django.urls import translate_url

from events import formatting

register = template.Library()


@register.simple_tag
def lang_attr(obj, field: str) -> str:
    """` lang="xx"` when `obj.field` is shown in a fallback language, else nothing.

    For a few texts on a page; the public pages with many rows mark theirs in the query layer
    with the same rule (`formatting.FallbackLanguages`, events/queries.py).
    """
    return formatting.FallbackLanguages().attr(obj, field)


@register.simple_tag(takes_context=True)
def translated_path(context, language_code: str) -> str:
    """The current page's address in another language (the same page, not the home page)."""
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language_code)


register.filter("date_range", formatting.date_range)
