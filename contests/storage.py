"""Private storage for contest entry attachments.

An entry's files may hold what its team sent before screening (or what screening refused):
they live outside MEDIA_ROOT and reach the browser only through contests:attachment, which
shows them as the entry itself is shown.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:
        # settings.CONTESTS_PRIVATE_ROOT when a deployment sets one; otherwise beside MEDIA_ROOT,
        # never inside it (and following MEDIA_ROOT when tests change it).
        configured = getattr(settings, "CONTESTS_PRIVATE_ROOT", None)
        if configured:
            return str(configured)
        return os.path.join(os.path.dirname(os.path.abspath(settings.MEDIA_ROOT)), "contests_private")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Entry attachments have no public URL; use contests:attachment.")


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    return private_storage
