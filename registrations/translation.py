from modeltranslation.translator import TranslationOptions, register

from .models import Delegation, PrivacyNotice


@register(Delegation)
class DelegationTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(PrivacyNotice)
class PrivacyNoticeTranslationOptions(TranslationOptions):
    fields = ("text",)
