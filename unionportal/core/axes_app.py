"""django-axes under a translatable name in the back office (axes' own is the bare "Axes").

In its own module: a second AppConfig in core/apps.py would stop Django choosing the core's.
"""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("Sign-in lockouts")
