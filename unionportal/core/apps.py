from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "unionportal.core"
    label = "core"
    verbose_name = _("Unions and activities")

    def ready(self) -> None:
        # Domain apps register their figures, desk cards, demo and scale data in a
        # `portal.py` module (and their year-end report sections in `yearend.py`); the core
        # discovers them without importing any app by name.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("portal", "yearend")
