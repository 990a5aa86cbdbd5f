"""Static files that come from Python packages, taken one file at a time.

XStatic-jquery-ui ships the whole jQuery UI distribution (themes, CSS, images, the unminified
sources), but the site uses only `jquery-ui.min.js`, for modeltranslation's tabs in the admin.
Adding the package's directory to STATICFILES_DIRS would publish everything, and its theme CSS
mentions images in comments that the manifest storage then tries (and fails) to hash, so
`collectstatic` aborted in production. This finder exposes just the files listed below; the
package stays their source, so upgrading it with pip upgrades them.
"""

import importlib
import os
from collections.abc import Iterator

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# Static path -> (package whose BASE_DIR holds the file, file name there).
# jQuery UI is under the MIT licence (https://jqueryui.com/); its header is in the file.
PACKAGE_FILES = {
    "vendor/jquery-ui/jquery-ui.min.js": ("xstatic.pkg.jquery_ui", "jquery-ui.min.js"),
}


class PackageFileFinder(BaseFinder):
    """Finds the files of PACKAGE_FILES in their packages, and nothing else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Static path -> (storage rooted at the package's directory, with the static
        # directory as its prefix, as collectstatic and WhiteNoise expect; file name).
        self.files: dict[str, tuple[FileSystemStorage, str]] = {}
        for static_path, (package, name) in PACKAGE_FILES.items():
            storage = FileSystemStorage(location=importlib.import_module(package).BASE_DIR)
            storage.prefix = os.path.dirname(static_path)
            self.files[static_path] = (storage, name)

    def check(self, **kwargs):
        return [
            Error(
                f"The static file {static_path} is missing from {PACKAGE_FILES[static_path][0]}.",
                hint="Reinstall the project's dependencies (pip install -e .).",
                id="emn_conference.E001",
            )
            for static_path, (storage, name) in self.files.items()
            if not storage.exists(name)
        ]

    # RemovedInDjango61Warning: **kwargs carries the deprecated `all` argument until then.
    def find(self, path, find_all=False, **kwargs):
        if kwargs:
            find_all = self._check_deprecated_find_param(find_all=find_all, **kwargs)
        matches = []
        if path in self.files:
            storage, name = self.files[path]
            if storage.exists(name):
                matches.append(storage.path(name))
        if find_all:
            return matches
        return matches[0] if matches else []

    def list(self, ignore_patterns) -> Iterator[tuple[str, FileSystemStorage]]:
        for storage, name in self.files.values():
            if storage.exists(name):
                yield name, storage
