"""Storage for files that must not be public (message attachments)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under `PRIVATE_MEDIA_ROOT`, which no URL serves directly. The folder is read from settings on every use
    (not once at start), so a changed setting, as in tests, takes effect at once."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a view that checks permission.")
