"""Storage for files with personal data that the site makes for staff (large exports)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_ROOT: outside MEDIA_ROOT, with no URL, handed out only by views
    that check who asks. Like MEDIA_ROOT for the default storage, the directory follows the
    setting, also when it changes (in tests)."""

    def __init__(self, **kwargs):
        super().__init__(base_url=None, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_ROOT)

    def url(self, name):
        raise ValueError("Private files have no URL; a view that checks permissions serves them.")

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)
