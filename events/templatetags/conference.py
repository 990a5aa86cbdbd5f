"""Template helpers for bilingual pages."""

from django import template
from django.urls import translate_url
from django.utils.html import format_html
from modeltranslation import settings as mt_settings
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

from events import formatting

register = template.Library()


@register.simple_tag
def lang_attr(obj, field: str) -> str:
    """` lang="xx"` when `obj.field` is shown in a fallback language, else nothing.

    modeltranslation already falls back to another language when the current one is empty;
    this tells screen readers and browsers which language the text then is in.
    """
    current = get_language()
    for code in resolution_order(current, mt_settings.FALLBACK_LANGUAGES):
        if getattr(obj, build_localized_fieldname(field, code), None):
            return "" if code == current else format_html(' lang="{}"', code)
    return ""


@register.simple_tag(takes_context=True)
def translated_path(context, language_code: str) -> str:
    """The current page's address in another language (the same page, not the home page)."""
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language_code)


register.filter("date_range", formatting.date_range)
