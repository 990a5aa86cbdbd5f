"""Delegate pages. Views fetch through `queries`, change through `services`, and render."""

import datetime
import json
import uuid
from io import BytesIO

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.decorators import verified_email_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View
from django_permissions_policy.decorators import permissions_policy_override

from emn_conference.site import absolute_url
from events import queries as event_queries
from events import schedule
from events.views import EventMixin

from . import badges, dashboard, documents, queries, services, tokens
from .forms import (
    CancelForm,
    CheckInForm,
    NominationForm,
    NominationLetterForm,
    PrivacyNoticeAcceptForm,
    RegistrationCreateForm,
    RegistrationDetailsForm,
    WithdrawMemberForm,
)
from .models import (
    BadgeLayout,
    CheckIn,
    Delegation,
    IssuedDocument,
    PrivacyNotice,
    Registration,
    SessionSignup,
)


def _add_errors(form, error: ValidationError) -> None:
    """Shows a service's refusal next to the field it concerns (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@method_decorator(verified_email_required, name="dispatch")
class RegisterView(EventMixin, FormView):
    template_name = "registrations/register.html"
    form_class = RegistrationCreateForm

    def dispatch(self, request, *args, **kwargs):
        self.previous = queries.registration_for_event_and_user(event=self.event, user=request.user)
        if self.previous is not None and not self.previous.allows_registering_again:
            messages.info(request, _("You are already registered for this event."))
            return redirect(self.previous)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        # Registering again after a cancellation starts from the details given last time;
        # consents are asked afresh, never pre-ticked.
        previous = {}
        if self.previous is not None:
            previous = {
                name: getattr(self.previous, name)
                for name in services.DETAIL_FIELDS
                if name not in ("photo_consent", "listing_consent")
            }
        delegation, _error = self.invitation()
        code = delegation.invitation_code if delegation else self.typed_invitation_code()
        # The head's invitation names the person: their name and language, if not known yet.
        nomination = queries.nomination_for_link(
            delegation=delegation, token=self.nomination_token()
        )
        named = {}
        if nomination is not None and self.previous is None:
            named = {
                "given_name": nomination.given_name,
                "family_name": nomination.family_name,
                "language": nomination.language,
            }
        return {**previous, **named, "invitation_code": code}

    def nomination_token(self) -> str:
        # Kept in the address the form is sent to, so the same on the way in and out.
        return self.request.GET.get("nomination", "").strip()[:40]

    def typed_invitation_code(self) -> str:
        # The link's code on the way in; the form's once it is sent.
        if self.request.method == "POST":
            return self.request.POST.get("invitation_code", "").strip()[:40]
        return self.request.GET.get("invitation", "").strip()[:40]

    def invitation(self) -> tuple[Delegation | None, ValidationError | None]:
        """The delegation the typed code invites to, or why not. Asked once per request:
        each wrong code counts towards the limit of tries."""
        if not hasattr(self, "_invitation"):
            self._invitation = (None, None)
            code = self.typed_invitation_code()
            if code:
                try:
                    delegation = services.invitation_code_use(
                        event=self.event,
                        code=code,
                        by=self.request.user,
                        ip=get_account_adapter(self.request).get_client_ip(self.request),
                    )
                except ValidationError as error:
                    self._invitation = (None, error)
                else:
                    self._invitation = (delegation, None)
        return self._invitation

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "event": self.event}

    def get_context_data(self, **kwargs):
        delegation, error = self.invitation()
        return super().get_context_data(
            availability=queries.RegistrationAvailability(event=self.event),
            privacy_notice=queries.privacy_notice_for(event=self.event),
            delegation=delegation,
            delegation_places=delegation and queries.delegation_places(delegation=delegation),
            kept_place=delegation is not None
            and queries.delegation_has_kept_place(delegation=delegation),
            # On the way in, before the form; once it is sent, the error is at its field.
            invitation_errors=error.messages if error and self.request.method == "GET" else [],
            register_alone_url=self.request.path,
            **kwargs,
        )

    def form_invalid(self, form):
        _delegation, error = self.invitation()
        if error is not None and "invitation_code" not in form.errors:
            _add_errors(form, error)
        return super().form_invalid(form)

    def form_valid(self, form):
        delegation, error = self.invitation()
        if error is not None:
            return self.form_invalid(form)
        try:
            registration = services.registration_create(
                event=self.event,
                user=self.request.user,
                details=form.details,
                sessions=form.chosen_sessions,
                invitation_code=delegation.invitation_code if delegation else "",
                nomination=self.nomination_token(),
                privacy_accepted=form.cleaned_data["privacy_accepted"],
                by=self.request.user,
            )
        except services.AlreadyRegistered as already:
            messages.info(self.request, _("You are already registered for this event."))
            return redirect(already.registration)
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Thank you. Your registration %(reference)s is received: %(status)s.")
            % {"reference": registration.reference, "status": registration.get_status_display()},
        )
        return redirect(registration)


class MyRegistrationsView(LoginRequiredMixin, TemplateView):
    template_name = "registrations/mine.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            registrations=queries.registration_list_for_user(user=user),
            delegations=queries.delegations_headed_by(user=user),
            **kwargs,
        )


class RegistrationMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.registration = queries.registration_get_for_user(
            user=request.user, reference=kwargs["reference"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            registration=self.registration, event=self.registration.event, **kwargs
        )


class RegistrationDetailView(RegistrationMixin, TemplateView):
    template_name = "registrations/detail.html"

    def get_context_data(self, **kwargs):
        availability = queries.RegistrationAvailability(event=self.registration.event)
        return super().get_context_data(
            can_edit=self.registration.can_be_edited(),
            availability=availability,
            can_register_again=self.registration.allows_registering_again and availability.is_open,
            **kwargs,
        )


class RegistrationEditView(RegistrationMixin, FormView):
    template_name = "registrations/edit.html"
    form_class = RegistrationDetailsForm

    def get(self, request, *args, **kwargs):
        if not self.registration.can_be_edited():
            messages.error(request, _("This registration can no longer be changed."))
            return redirect(self.registration)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "event": self.registration.event,
            "instance": self.registration,
            "initial": {"sessions": [s.session for s in self.registration.signups.all()]},
        }

    def form_valid(self, form):
        # The form has copied the new values onto the instance; the service reloads and
        # applies them under its locks, so start from the saved row again.
        self.registration.refresh_from_db()
        try:
            services.registration_update(
                registration=self.registration,
                details=form.details,
                sessions=form.chosen_sessions,
                by=self.request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your changes are saved."))
        return redirect(self.registration)


class RegistrationCancelView(RegistrationMixin, FormView):
    template_name = "registrations/cancel.html"
    form_class = CancelForm

    def form_valid(self, form):
        try:
            services.registration_cancel(registration=self.registration, by=self.request.user)
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your registration is cancelled."))
        return redirect(self.registration)


class DelegationHeadMixin(LoginRequiredMixin, EventMixin):
    """Pages of a delegation for its head only (anyone else gets 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.delegation  # noqa: B018 - 404 for anyone but the head, whatever the method
        return super().dispatch(request, *args, **kwargs)

    @property
    def delegation(self) -> Delegation:
        if not hasattr(self, "_delegation"):
            self._delegation = queries.delegation_get_for_head(
                event=self.event, pk=self.kwargs["pk"], user=self.request.user
            )
            self._delegation.event = self.event
        return self._delegation

    def delegation_url(self) -> str:
        return reverse(
            "registrations:delegation", kwargs={"slug": self.event.slug, "pk": self.delegation.pk}
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(delegation=self.delegation, **kwargs)


class DelegationView(DelegationHeadMixin, FormView):
    """The head's page: places, members, invitations; the form nominates a member."""

    template_name = "registrations/delegation.html"
    form_class = NominationForm

    def get_context_data(self, **kwargs):
        delegation = self.delegation
        register = reverse("registrations:register", kwargs={"slug": self.event.slug})
        invitation_path = f"{register}?{urlencode({'invitation': delegation.invitation_code})}"
        kwargs.setdefault("letter_form", NominationLetterForm())
        return super().get_context_data(
            members=queries.delegation_members(delegation=delegation),
            nominations=queries.delegation_nominations_open(delegation=delegation),
            places=queries.delegation_places(delegation=delegation),
            availability=queries.RegistrationAvailability(event=self.event),
            takes_nominations=delegation.takes_nominations() and self.event.takes_registrations(),
            # The head registers like any member, through the same link.
            own_registration=queries.registration_for_event_and_user(
                event=self.event, user=self.request.user
            ),
            invitation_path=invitation_path,
            invitation_url=absolute_url(invitation_path, request=self.request),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            nomination = services.delegation_member_nominate(
                delegation=self.delegation, by=self.request.user, **form.person
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("An invitation to register is on its way to %(email)s.")
            % {"email": nomination.email},
        )
        return redirect(self.delegation_url())


class DelegationLetterView(DelegationHeadMixin, FormView):
    """POST: the head uploads the nomination letter; errors show on the delegation's page."""

    template_name = "registrations/delegation.html"
    form_class = NominationLetterForm
    http_method_names = ["post"]

    def form_invalid(self, form):
        page = DelegationView(request=self.request, args=self.args, kwargs=self.kwargs)
        page.setup(self.request, *self.args, **self.kwargs)
        context = page.get_context_data(letter_form=form, form=NominationForm())
        return self.render_to_response(context)

    def form_valid(self, form):
        services.delegation_letter_upload(
            delegation=self.delegation, upload=form.cleaned_data["letter"], by=self.request.user
        )
        messages.success(self.request, _("The nomination letter is uploaded."))
        return redirect(self.delegation_url())


class DelegationLetterDownloadView(DelegationHeadMixin, View):
    def get(self, request, *args, **kwargs):
        if not self.delegation.nomination_letter:
            raise Http404("No nomination letter yet.")
        response = FileResponse(
            self.delegation.nomination_letter.open("rb"),
            as_attachment=True,
            filename=f"nomination-letter-{self.delegation.pk}.pdf",
            content_type="application/pdf",
        )
        patch_cache_control(response, private=True, no_store=True)
        return response


class DelegationMemberMixin(DelegationHeadMixin):
    """A page about one active member of the head's delegation (else 404)."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            member=self.member, delegation_url=self.delegation_url(), **kwargs
        )

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.member = queries.delegation_member_get(
                delegation=self.delegation, reference=kwargs["reference"]
            )
        return super().dispatch(request, *args, **kwargs)


class DelegationMemberWithdrawView(DelegationMemberMixin, FormView):
    template_name = "registrations/delegation_withdraw.html"
    form_class = WithdrawMemberForm

    def form_valid(self, form):
        try:
            services.delegation_member_withdraw(
                delegation=self.delegation, registration=self.member, by=self.request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s is withdrawn from the delegation and told by email.")
            % {"name": self.member.full_name},
        )
        return redirect(self.delegation_url())


class DelegationMemberReplaceView(DelegationMemberMixin, FormView):
    template_name = "registrations/delegation_replace.html"
    form_class = NominationForm

    def form_valid(self, form):
        try:
            nomination = services.delegation_member_replace(
                delegation=self.delegation,
                registration=self.member,
                by=self.request.user,
                **form.person,
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "%(old)s is replaced: their registration is cancelled and they are told. An "
                "invitation to register is on its way to %(email)s."
            )
            % {"old": self.member.full_name, "email": nomination.email},
        )
        return redirect(self.delegation_url())


class DelegationNominationWithdrawView(DelegationHeadMixin, View):
    """POST only: the head takes back an invitation not yet answered."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        nomination = get_object_or_404(
            queries.delegation_nominations_open(delegation=self.delegation),
            pk=kwargs["nomination"],
        )
        try:
            services.delegation_nomination_withdraw(nomination=nomination, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The invitation to %(email)s is withdrawn.") % {"email": nomination.email},
            )
        return redirect(self.delegation_url())


class ParticipantListView(EventMixin, TemplateView):
    """The confirmed delegates who agreed to be listed, grouped by country or delegation.
    For those `queries.participants_visible_to` allows: others are asked to sign in, or told
    who may see it. Never kept by any cache: a consent withdrawn must show at once."""

    template_name = "registrations/participants.html"

    def get(self, request, *args, **kwargs):
        if not queries.participants_visible_to(event=self.event, user=request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            return TemplateResponse(
                request,
                "registrations/participants_hidden.html",
                {"event": self.event},
                status=403,
            )
        return super().get(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        by = self.request.GET.get("by")
        by = by if by in queries.PARTICIPANT_GROUPINGS else queries.PARTICIPANT_GROUPINGS[0]
        path = self.request.path
        return super().get_context_data(
            groups=queries.participant_groups(event=self.event, by=by),
            by=by,
            groupings=[
                (_("Country"), path, by == "country"),
                (_("Delegation"), f"{path}?by=delegation", by == "delegation"),
            ],
            **kwargs,
        )


class _RegistrationDocumentView(RegistrationMixin, View):
    """A PDF of the delegate's own registration; only when it exists for them (else 404).
    Each subclass writes it in `document()` and names it with `filename`."""

    def available(self) -> bool:
        return self.registration.is_confirmed

    def get(self, request, *args, **kwargs):
        if not self.available():
            raise Http404("No such document for this registration.")
        response = HttpResponse(self.document(), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{self.filename}-{self.registration.reference}.pdf"'
        )
        return response


class BadgeView(_RegistrationDocumentView):
    """The delegate's badge, in the layout of `?layout=` (A6 unless asked for another)."""

    filename = "badge"

    def get(self, request, *args, **kwargs):
        if self.available():
            try:
                self.layout = badges.layout_for(request.GET.get("layout", BadgeLayout.A6)).key
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect(self.registration)
        return super().get(request, *args, **kwargs)

    def document(self) -> bytes:
        out = BytesIO()
        badges.badges_pdf([self.registration], out, layout=self.layout)
        return out.getvalue()


class ConfirmationView(_RegistrationDocumentView):
    filename = "confirmation"

    def document(self) -> bytes:
        return documents.confirmation_pdf(self.registration)


class VisaLetterView(_RegistrationDocumentView):
    filename = "visa-letter"

    def available(self) -> bool:
        if not self.registration.visa_letter_is_ready:
            return False
        self.issued = queries.document_current(
            registration=self.registration, kind=IssuedDocument.Kind.VISA_LETTER
        )
        return self.issued is not None

    def document(self) -> bytes:
        return documents.visa_letter_pdf(
            self.registration,
            self.registration.event.letter_template,
            get_language(),
            document=self.issued,
        )


class CertificateView(_RegistrationDocumentView):
    """The delegate's certificate of attendance, issued on its first download."""

    filename = "certificate"

    def available(self) -> bool:
        return self.registration.can_get_certificate()

    def document(self) -> bytes:
        issued = services.certificate_issue(registration=self.registration, by=self.request.user)
        return documents.certificate_pdf(
            self.registration, issued, queries.certificate_days(registration=self.registration)
        )


class CalendarAddressRenewView(RegistrationMixin, View):
    """POST only: gives the delegate a new secret calendar address."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        services.calendar_address_renew(registration=self.registration, by=request.user)
        messages.success(
            request, _("Your calendar has a new address; the old one no longer works.")
        )
        return redirect(self.registration)


class ListingConsentView(RegistrationMixin, View):
    """POST only: the delegate appears in the list of participants (`consent=1`) or no
    longer does (`consent=0`), whenever they like."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        consent = request.POST.get("consent")
        if consent not in ("0", "1"):
            messages.error(request, _("Nothing was changed: choose whether to be listed."))
            return redirect(self.registration)
        try:
            services.registration_listing_consent_set(
                registration=self.registration, consent=consent == "1", by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.registration)
        if consent == "1":
            messages.success(request, _("You now appear in the list of participants."))
        else:
            messages.success(request, _("You no longer appear in the list of participants."))
        return redirect(self.registration)


class PersonalCalendarView(View):
    """A delegate's own sessions as a calendar feed, at a secret address a calendar can
    subscribe to without signing in (so the token, not the account, grants access)."""

    def get(self, request, token: str):
        registration = queries.registration_for_calendar_token(token=token)
        sessions = event_queries.session_list_for_agenda(event=registration.event).filter(
            signups__registration=registration, signups__status=SessionSignup.Status.CONFIRMED
        )
        name = _("My sessions: %(event)s") % {"event": registration.event.title}
        feed = schedule.sessions_calendar(
            event=registration.event, sessions=sessions, name=name, request=request
        )
        response = HttpResponse(feed, content_type=schedule.ICALENDAR_CONTENT_TYPE)
        # The address is the secret: no shared cache may keep a copy.
        response["Cache-Control"] = "private, no-store"
        return response


class EventPrivacyNoticeView(EventMixin, TemplateView):
    """The privacy notice the event's delegates accept, with its earlier versions."""

    template_name = "registrations/privacy_notice.html"

    def get_context_data(self, **kwargs):
        versions = list(queries.privacy_notice_versions(event=self.event))
        return super().get_context_data(
            notice=versions[0] if versions else None, earlier=versions[1:], **kwargs
        )


class SitePrivacyNoticeView(TemplateView):
    """The site's privacy notice (accounts, and every event without one of its own)."""

    template_name = "registrations/privacy_notice_site.html"

    def get_context_data(self, **kwargs):
        versions = list(queries.privacy_notice_versions(event=None))
        return super().get_context_data(
            notice=versions[0] if versions else None, earlier=versions[1:], **kwargs
        )


class PrivacyNoticeAcceptView(LoginRequiredMixin, FormView):
    """A newer privacy notice (or the event's own) for a registration still to come: the
    delegate reads it and accepts it, then goes on where they were going. A delegate who does
    not accept it may cancel the registration or delete their account instead."""

    template_name = "registrations/privacy_accept.html"
    form_class = PrivacyNoticeAcceptForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.awaiting = list(
            queries.registrations_awaiting_notice(user=request.user).select_related(
                "event", "privacy_notice"
            )
        )
        self.notices = PrivacyNotice.objects.in_bulk(
            {registration.current_notice_id for registration in self.awaiting}
        )
        if not self.awaiting:
            return redirect(self.next_url())
        return super().dispatch(request, *args, **kwargs)

    def next_url(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return reverse("registrations:mine")

    def get_initial(self):
        return {"notices": ",".join(str(pk) for pk in sorted(self.notices))}

    def get_context_data(self, **kwargs):
        # One notice may apply to several registrations (the site's, for their events).
        shown = [
            (notice, [r for r in self.awaiting if r.current_notice_id == pk])
            for pk, notice in sorted(self.notices.items())
        ]
        return super().get_context_data(shown=shown, next=self.next_url(), **kwargs)

    def form_valid(self, form):
        if form.cleaned_data["notices"] != self.get_initial()["notices"]:
            form.add_error(
                None,
                _("The privacy notice has changed again: please read the version now in force."),
            )
            return self.form_invalid(form)
        try:
            for registration in self.awaiting:
                services.privacy_notice_accept(
                    registration=registration,
                    notice=self.notices[registration.current_notice_id],
                    by=self.request.user,
                )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you: you have accepted the privacy notice."))
        return redirect(self.next_url())


class DashboardView(TemplateView):
    """The organisers' dashboard of an event: for staff who may see registrations; to anyone
    else it does not exist (404), like a draft."""

    template_name = "registrations/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        self.event = queries.event_get_for_dashboard(slug=kwargs["slug"], user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        figures = queries.dashboard_figures(event=self.event)
        return super().get_context_data(
            event=self.event,
            summary=dashboard.summary(event=self.event, figures=figures),
            sections=dashboard.sections(figures),
            **kwargs,
        )


class DocumentVerifyView(View):
    """A document's verification page, for anyone holding its address (a consulate): no
    account, since the unguessable token is the key (see `models.new_document_token`)."""

    def get(self, request, token: str):
        verification = queries.document_verification(token=token)
        if verification is None:
            response = TemplateResponse(request, "registrations/verify_not_found.html", status=404)
        else:
            response = TemplateResponse(
                request, "registrations/verify.html", {"document": verification}
            )
        # It names a person: kept by no cache on the way, and out of search engines.
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        return response


# --- check-in at the door ------------------------------------------------------------------

CHECKIN_PERMISSION = "registrations.checkin_registration"
# How many offline scans one request may send: a device's queue, sent in parts if longer.
CHECKIN_SYNC_MAX_SCANS = 500


def _private(response: HttpResponse) -> HttpResponse:
    # Names of the event's people: never kept by a cache, nor by the browser's.
    response["Cache-Control"] = "private, no-store"
    return response


class CheckInStaffMixin(LoginRequiredMixin, EventMixin):
    """For staff allowed to check people in (the "Check-in staff" group); to others the
    pages do not exist (404), or, for the device's data, 403 (its script then clears what
    it keeps)."""

    refuse_with_403 = False

    def dispatch(self, request, *args, **kwargs):
        allowed = request.user.is_authenticated and request.user.has_perm(CHECKIN_PERMISSION)
        if not allowed and self.refuse_with_403:
            return _private(JsonResponse({"error": _("Sign in as check-in staff.")}, status=403))
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not allowed:
            raise Http404("Not check-in staff.")
        return super().dispatch(request, *args, **kwargs)


def _device(request, typed: str) -> str:
    """The name the device's script gave it, else the start of its browser's name."""
    return (typed or request.headers.get("User-Agent", ""))[:60]


# The page scans badges with the camera: the only one allowed to ask for it.
@method_decorator(
    permissions_policy_override({**settings.PERMISSIONS_POLICY, "camera": ["self"]}),
    name="dispatch",
)
class CheckInView(CheckInStaffMixin, FormView):
    """The page at the door: scan or type, and see who it is and whether to let them in."""

    template_name = "registrations/checkin.html"
    form_class = CheckInForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "event": self.event}

    def get_initial(self):
        return {"session": self.request.GET.get("session") or None}

    def get_context_data(self, **kwargs):
        day = queries.checkin_day(event=self.event)
        return super().get_context_data(
            counts=queries.checkin_counts(event=self.event, day=day), **kwargs
        )

    def form_valid(self, form):
        try:
            answer = services.checkin_record(
                event=self.event,
                code=form.cleaned_data["code"],
                session=form.cleaned_data["session"],
                device=_device(self.request, form.cleaned_data["device"]),
                via=CheckIn.Via.SCAN
                if tokens.looks_like_token(form.cleaned_data["code"])
                else CheckIn.Via.TYPED,
                by=self.request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.form_invalid(form)
        # A fresh form for the next person, at the same place.
        fresh = self.get_form_class()(
            event=self.event,
            initial={key: form.cleaned_data[key] for key in ("session", "device")},
        )
        response = self.render_to_response(self.get_context_data(form=fresh, answer=answer))
        return _private(response)

    def render_to_response(self, context, **response_kwargs):
        return _private(super().render_to_response(context, **response_kwargs))


class CheckInListView(CheckInStaffMixin, View):
    """What a check-in device keeps to work offline: the signed codes it may admit."""

    refuse_with_403 = True

    def get(self, request, *args, **kwargs):
        day = queries.checkin_day(event=self.event)
        counts = queries.checkin_counts(event=self.event, day=day)
        return _private(
            JsonResponse(
                {
                    "event": self.event.slug,
                    "day": day.isoformat(),
                    "admissible": queries.checkin_admissible(event=self.event, day=day),
                    "counts": {
                        "expected": counts.expected,
                        "checked_in": counts.checked_in,
                        "sessions": {
                            str(session.pk): checked
                            for session, _seated, checked in counts.sessions
                        },
                    },
                }
            )
        )


class CheckInSyncView(CheckInStaffMixin, View):
    """Scans a device took offline, sent when the network is back: each gets its answer,
    repeats included (a badge scanned on two devices is reported, not lost)."""

    refuse_with_403 = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            sent = json.loads(request.body)
            scans = sent["scans"]
            if not isinstance(scans, list) or len(scans) > CHECKIN_SYNC_MAX_SCANS:
                raise ValueError
            device = str(sent.get("device") or "")
            parsed = [_sync_scan(scan, self.event) for scan in scans]
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, ValidationError):
            return _private(
                JsonResponse({"error": _("These scans could not be read.")}, status=400)
            )
        results = []
        for scan_id, code, session, scanned_at in parsed:
            try:
                answer = services.checkin_record(
                    event=self.event,
                    code=code,
                    session=session,
                    device=_device(request, device),
                    via=CheckIn.Via.OFFLINE,
                    scanned_at=scanned_at,
                    scan_id=scan_id,
                    by=request.user,
                )
            except ValidationError as error:
                message = error.messages[0]
                results.append({"id": str(scan_id), "outcome": "refused", "message": message})
                continue
            person = answer.registration
            results.append(
                {
                    "id": str(scan_id),
                    "outcome": str(answer.outcome),
                    "message": answer.message(),
                    "name": person.full_name if person and answer.admitted else "",
                }
            )
        return _private(JsonResponse({"results": results}))


def _sync_scan(scan: dict, event) -> tuple:
    """One offline scan as sent: its id, the code, the session (or None) and when it was taken."""
    scan_id = uuid.UUID(str(scan["id"]))
    code = str(scan["code"])[: services.CHECKIN_CODE_MAX_LENGTH + 1]
    scanned_at = datetime.datetime.fromisoformat(str(scan["at"]).replace("Z", "+00:00"))
    if timezone.is_naive(scanned_at):
        raise ValueError("a time without its zone")
    scanned_at = scanned_at.astimezone(datetime.UTC)  # OverflowError at the ends of time
    session = None
    if scan.get("session"):
        session_id = int(scan["session"])
        if abs(session_id) >= 2**63:
            raise ValueError("no such session")
        session = queries.checkin_sessions(event=event).filter(pk=session_id).first()
        if session is None:
            raise ValueError("no such session")
    return scan_id, code, session, scanned_at


class CheckInBadgeView(CheckInStaffMixin, View):
    """A person's badge printed again at the door (one per page)."""

    def get(self, request, *args, **kwargs):
        registration = queries.checkin_registration(event=self.event, reference=kwargs["reference"])
        out = BytesIO()
        # Recorded like every printing of badges (the export log), as printed at the door.
        services.badges_print(
            registrations=Registration.objects.filter(pk=registration.pk),
            out=out,
            layout=BadgeLayout.A6,
            by=request.user,
            via="checkin",
        )
        response = _private(HttpResponse(out.getvalue(), content_type="application/pdf"))
        response["Content-Disposition"] = f'inline; filename="badge-{registration.reference}.pdf"'
        return response
