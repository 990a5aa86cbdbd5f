from modeltranslation.translator import TranslationOptions, register

from .models import Delegation, LetterTemplate, Message, PrivacyNotice


@register(Delegation)
class DelegationTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(PrivacyNotice)
class PrivacyNoticeTranslationOptions(TranslationOptions):
    fields = ("text",)


@register(LetterTemplate)
class LetterTemplateTranslationOptions(TranslationOptions):
    fields = ("letterhead", "place", "body", "costs", "signatory_name", "signatory_position")


@register(Message)
class MessageTranslationOptions(TranslationOptions):
    fields = ("subject", "body")
