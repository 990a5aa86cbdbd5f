"""allauth's mail goes through the outbox like every other message.

A request that signs someone up or resets a password only writes the message; a worker sends
it. So these pages answer at once whether the mail server is up, down or hanging, and take
the same time whether or not the address has an account.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from outbox import services as outbox


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The same context as allauth's own send_mail, then queued instead of sent.
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        outbox.email_queue(message=self.render_mail(template_prefix, email, ctx))
