from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def mail_is_really_sent(app_configs, **kwargs):
    """In production the console mail backend would print delegates' messages to the logs."""
    if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "filebased.EmailBackend")):
        return [
            Warning(
                "Mail is written to the console or files, with delegates' personal data.",
                hint="Set EMAIL_URL to your SMTP server, e.g. smtp+tls://user:password@host:587.",
                id="registrations.W001",
            )
        ]
    return []
