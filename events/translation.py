"""Every text an organiser types is stored once per language (LANGUAGES in settings).

No language is required on its own (modeltranslation's default, no `required_languages`): a
record may be typed in Bulgarian or in English first. A text the model requires must be there
in at least one: the model checks it through the fallback languages, the admin's form says so
(events/admin.py `EitherLanguageForm`). The same holds for registrations/translation.py.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Announcement,
    Event,
    Organisation,
    Room,
    Session,
    SessionMaterial,
    Speaker,
    Track,
    Venue,
)


@register(Organisation)
class OrganisationTranslationOptions(TranslationOptions):
    fields = ("name", "acronym")


@register(Venue)
class VenueTranslationOptions(TranslationOptions):
    fields = ("name", "address", "city")


@register(Room)
class RoomTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Event)
class EventTranslationOptions(TranslationOptions):
    fields = ("title", "theme", "description", "aims", "topics")


@register(Track)
class TrackTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Speaker)
class SpeakerTranslationOptions(TranslationOptions):
    fields = ("honorific", "full_name", "position", "bio")


@register(Session)
class SessionTranslationOptions(TranslationOptions):
    fields = ("title", "description")


@register(SessionMaterial)
class SessionMaterialTranslationOptions(TranslationOptions):
    fields = ("title",)


@register(Announcement)
class AnnouncementTranslationOptions(TranslationOptions):
    fields = ("title", "body")
