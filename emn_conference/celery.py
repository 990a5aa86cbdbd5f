"""The Celery application: `celery -A emn_conference worker` and `celery -A emn_conference beat`.

Settings come from Django's settings, prefixed CELERY_ (see settings.py). Without a broker
(`CELERY_BROKER_URL` unset) tasks run in-process, after the transaction commits.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emn_conference.settings")

app = Celery("emn_conference")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
