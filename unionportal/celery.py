"""The Celery app: notifications and scheduled jobs (settings: the CELERY_* block of settings.py).

With REDIS_URL the broker is Redis (`celery -A unionportal worker` and `celery -A unionportal beat`,
see deploy/celery-*.service); without it every task runs eagerly in process, so `make run` needs
nothing else.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")

app = Celery("unionportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
