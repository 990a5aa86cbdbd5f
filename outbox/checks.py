from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def mail_goes_through_a_broker(app_configs, **kwargs):
    """Without a broker, mail is sent inside the request that caused it."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return [
            Warning(
                "No Celery broker: messages are sent inside web requests, with no retries.",
                hint="Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) and run a worker "
                "and the scheduler (see README, Production).",
                id="outbox.W001",
            )
        ]
    return []
