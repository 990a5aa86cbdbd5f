"""The person's own pages: everything held on them, as a page and as a download, and
deleting their account. Views read through `queries`, change through `services`."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from . import queries, services
from .forms import AccountDeleteForm


class MyDataView(LoginRequiredMixin, TemplateView):
    template_name = "privacy/data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            data=queries.personal_data_for(user=self.request.user), **kwargs
        )


class MyDataJSONView(LoginRequiredMixin, View):
    """The same as the page, as a JSON file to keep or take elsewhere (GDPR Art. 20)."""

    def get(self, request):
        data = queries.personal_data_for(user=request.user)
        body = {"language": translation.get_language(), **data.as_json()}
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="my-data-{timezone.localdate():%Y%m%d}.json"'
        )
        response["Cache-Control"] = "private, no-store"
        return response


class AccountDeleteView(LoginRequiredMixin, FormView):
    """Deleting one's account, confirmed with the password: what it does is said first."""

    template_name = "privacy/delete.html"
    form_class = AccountDeleteForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        user = self.request.user
        try:
            services.account_delete_check(user=user)
        except ValidationError as error:
            refusal = error.messages
        else:
            refusal = []
        return super().get_context_data(
            refusal=refusal, registrations=queries.registrations_of(user=user), **kwargs
        )

    def form_valid(self, form):
        user = self.request.user
        try:
            services.account_delete(user=user, by=user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        logout(self.request)
        messages.success(
            self.request, _("Your account is deleted, and with it your personal data.")
        )
        return redirect("events:home")
