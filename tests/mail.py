"""A mail backend whose server is down: every send raises, as smtplib does."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class DownEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
