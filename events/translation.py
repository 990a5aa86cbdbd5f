"""Every text an organiser types is stored once per language (LANGUAGES in settings)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Announcement, Event, Organisation, Room, Session, Speaker, Track, Venue


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


@register(Announcement)
class AnnouncementTranslationOptions(TranslationOptions):
    fields = ("title", "body")
