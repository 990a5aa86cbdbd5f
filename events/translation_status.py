"""Which objects still lack a translation: an admin column and filter for any translated model."""

import operator
from functools import reduce

from django.conf import settings
from django.contrib import admin
from django.db.models import Model, Q
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def localized(*fields: str) -> list[str]:
    """`localized("title")` → ["title_bg", "title_en"], for search_fields and the like."""
    return [build_localized_fieldname(f, code) for f in fields for code in language_codes()]


def translated_fields(model: type[Model]) -> list[str]:
    return list(translator.get_options_for_model(model).all_fields.keys())


def _filled(column: str) -> Q:
    return ~Q(**{f"{column}__isnull": True}) & ~Q(**{column: ""})


def missing_translation_q(model: type[Model], language: str) -> Q:
    """Rows with a text written in another language but not yet in `language`."""
    conditions = []
    for field in translated_fields(model):
        own = build_localized_fieldname(field, language)
        others = [
            build_localized_fieldname(field, code) for code in language_codes() if code != language
        ]
        if others:
            conditions.append(~_filled(own) & reduce(operator.or_, map(_filled, others)))
    return reduce(operator.or_, conditions, Q(pk__in=[]))


def missing_languages(obj: Model) -> list[str]:
    missing = []
    for code in language_codes():
        for field in translated_fields(type(obj)):
            values = {
                c: getattr(obj, build_localized_fieldname(field, c)) for c in language_codes()
            }
            if not values[code] and any(values.values()):
                missing.append(code)
                break
    return missing


class MissingTranslationFilter(admin.SimpleListFilter):
    title = _("missing translation")
    parameter_name = "missing_translation"

    def lookups(self, request, model_admin):
        return [
            (code, _("Missing in %(language)s") % {"language": name})
            for code, name in settings.LANGUAGES
        ]

    def queryset(self, request, queryset):
        if self.value() in language_codes():
            return queryset.filter(missing_translation_q(queryset.model, self.value()))
        return queryset


class TranslationStatusMixin:
    """Adds a 'Translations' column and a 'missing translation' filter to a model admin."""

    @admin.display(description=_("translations"))
    def translation_status(self, obj):
        missing = missing_languages(obj)
        if not missing:
            return _("complete")
        return _("missing: %(languages)s") % {"languages": ", ".join(missing)}

    def get_list_display(self, request):
        return [*super().get_list_display(request), "translation_status"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), MissingTranslationFilter]
