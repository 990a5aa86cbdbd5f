from allauth.account.forms import ReauthenticateForm
from django import forms
from django.utils.translation import gettext_lazy as _


class AccountDeleteForm(ReauthenticateForm):
    """The account's password (checked as at sign-in, with its limit on wrong tries), and a
    tick that says the person means it."""

    required_css_class = "required"

    confirm = forms.BooleanField(
        label=_("Yes, delete my account and my personal data. This cannot be undone."),
        required=True,
        error_messages={"required": _("Tick the box to confirm that your account is to go.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
