"""Private storage for welfare images (visit photos, signatures).

They are personal data: they live outside MEDIA_ROOT, so nothing serves them publicly, and
reach the browser only through scoped views (welfare:visit_photo, welfare:handout_signature).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:
        # settings.WELFARE_PRIVATE_ROOT when the deployment sets one; otherwise beside MEDIA_ROOT,
        # never inside it (and following MEDIA_ROOT when tests change it).
        configured = getattr(settings, "WELFARE_PRIVATE_ROOT", None)
        if configured:
            return str(configured)
        return os.path.join(os.path.dirname(os.path.abspath(settings.MEDIA_ROOT)), "welfare_private")

    def url(self, name):
        raise ValueError("Welfare files have no public URL; use the scoped views.")


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    return private_storage
