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
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
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

from . import documents, queries, services, tokens
from .forms import (
    CancelForm,
    CheckInForm,
    PrivacyNoticeAcceptForm,
    RegistrationCreateForm,
    RegistrationDetailsForm,
)
from .models import CheckIn, Delegation, PrivacyNotice, Registration, SessionSignup


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
        return {**previous, "invitation_code": code}

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


class DelegationView(LoginRequiredMixin, EventMixin, TemplateView):
    template_name = "registrations/delegation.html"

    def get_context_data(self, **kwargs):
        delegation = queries.delegation_get_for_head(
            event=self.event, pk=self.kwargs["pk"], user=self.request.user
        )
        register = reverse("registrations:register", kwargs={"slug": self.event.slug})
        invitation_path = f"{register}?{urlencode({'invitation': delegation.invitation_code})}"
        return super().get_context_data(
            delegation=delegation,
            members=queries.delegation_members(delegation=delegation),
            places=queries.delegation_places(delegation=delegation),
            availability=queries.RegistrationAvailability(event=self.event),
            # The head registers like any member, through the same link.
            own_registration=queries.registration_for_event_and_user(
                event=self.event, user=self.request.user
            ),
            invitation_path=invitation_path,
            invitation_url=absolute_url(invitation_path, request=self.request),
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
    filename = "badge"

    def document(self) -> bytes:
        out = BytesIO()
        documents.badges_pdf([self.registration], out, per_page=1)
        return out.getvalue()


class ConfirmationView(_RegistrationDocumentView):
    filename = "confirmation"

    def document(self) -> bytes:
        return documents.confirmation_pdf(self.registration)


class VisaLetterView(_RegistrationDocumentView):
    filename = "visa-letter"

    def available(self) -> bool:
        return self.registration.visa_letter_is_ready

    def document(self) -> bytes:
        return documents.visa_letter_pdf(
            self.registration, self.registration.event.letter_template, get_language()
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
            per_page=1,
            by=request.user,
            via="checkin",
        )
        response = _private(HttpResponse(out.getvalue(), content_type="application/pdf"))
        response["Content-Disposition"] = f'inline; filename="badge-{registration.reference}.pdf"'
        return response
