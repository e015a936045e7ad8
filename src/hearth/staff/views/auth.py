"""Sign-in, second factor, choosing an agency, sign-out and the idle timeout."""

from __future__ import annotations

import segno
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from hearth.platform import audit, context, services
from hearth.platform.middleware import SESSION_MEMBERSHIP
from hearth.platform.models import AuditAction
from hearth.platform.policy import public, sign_in_step, signed_in
from hearth.staff import services as auth_services
from hearth.staff.forms.auth import ChooseAgencyForm, CodeForm, EnrolForm, SignInForm

SESSION_PENDING_DEVICE = "hearth_pending_totp"
SESSION_NEXT = "hearth_next"
SESSION_CODE_FAILURES = "hearth_code_failures"
MAX_CODE_FAILURES = 5


def _safe_next(request, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


@public(methods=("GET", "POST"))
def sign_in(request):
    if request.user.is_authenticated and request.user.is_verified():
        return redirect("platform:home")
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        context.current().username_attempted = username[:150]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            audit.record(AuditAction.LOCKED_OUT, outcome="deny", detail={"username": username[:150]})
            return get_lockout_response(request, None, {"username": username})
        if user is None:
            audit.record(AuditAction.SIGN_IN_FAILED, outcome="deny")
            form.add_error(None, "The username or password is not right. Check them and try again.")
        else:
            next_url = _safe_next(request, request.GET.get("next"))
            login(request, user)
            request.session[SESSION_NEXT] = next_url
            audit.record(AuditAction.SIGN_IN, obj=user, user=user, detail={"step": "password"})
            return redirect("platform:second_factor")
    return render(request, "platform/auth/sign_in.html", {"form": form})


@sign_in_step
def second_factor(request):
    """Ask for the code, or start enrolment if the user has no authenticator yet."""
    user = request.user
    if user.is_verified():
        return redirect("platform:choose_agency")
    if not auth_services.has_second_factor(user):
        return redirect("platform:second_factor_enrol")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = auth_services.second_factor_check(user=user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.pop(SESSION_CODE_FAILURES, None)
            audit.record(AuditAction.SIGN_IN, obj=user, user=user, detail={"step": "second_factor"})
            return redirect("platform:choose_agency")
        failures = request.session.get(SESSION_CODE_FAILURES, 0) + 1
        request.session[SESSION_CODE_FAILURES] = failures
        if failures >= MAX_CODE_FAILURES:
            logout(request)
            messages.error(request, "Too many wrong codes. Sign in again.")
            return redirect("platform:sign_in")
        form.add_error("code", "That code is not right, has expired or has been used. "
                               "Enter the current code from your app.")
    return render(request, "platform/auth/second_factor.html", {"form": form})


@sign_in_step
def second_factor_enrol(request):
    user = request.user
    if auth_services.has_second_factor(user):
        return redirect("platform:second_factor")
    device = auth_services.totp_device_pending(user, request.session.get(SESSION_PENDING_DEVICE))
    request.session[SESSION_PENDING_DEVICE] = device.pk
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = auth_services.totp_enrol_confirm(user=user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            request.session.pop(SESSION_PENDING_DEVICE, None)
            return render(request, "platform/auth/recovery_codes.html", {"codes": codes, "first_time": True})
        form.add_error("code", "That code is not right. Check the time on your phone is correct "
                               "and enter the code shown now.")

    qr = segno.make(device.config_url, error="m")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "platform/auth/enrol.html", {
        "form": form,
        "qr_data_uri": qr.svg_data_uri(scale=4, dark="#0b0c0c"),
        "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)],
    })


@sign_in_step
def choose_agency(request):
    user = request.user
    if not user.is_verified():
        return redirect("platform:second_factor")
    memberships = list(user.memberships.active().select_related("agency"))
    if not memberships:
        return render(request, "platform/auth/no_agency.html", status=403)
    chosen = None
    form = ChooseAgencyForm(request.POST if request.method == "POST" else None, memberships=memberships)
    if len(memberships) == 1 and request.method == "GET" and SESSION_MEMBERSHIP not in request.session:
        chosen = memberships[0]
    elif request.method == "POST" and form.is_valid():
        chosen = next(m for m in memberships if m.pk == form.cleaned_data["membership"])
    if chosen is not None:
        request.session[SESSION_MEMBERSHIP] = chosen.pk
        audit.record(AuditAction.ACT_FOR, obj=chosen.agency, user=user, membership=chosen)
        next_url = request.session.pop(SESSION_NEXT, None)
        return redirect(_safe_next(request, next_url) or "platform:home")
    return render(request, "platform/auth/choose_agency.html", {"form": form})


@signed_in(methods=("POST",))
def sign_out(request):
    audit.record(AuditAction.SIGN_OUT, obj=request.user)
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("platform:sign_in")


@signed_in(methods=("GET", "POST"))
def account(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "sign_out_everywhere":
            services.sign_out_everywhere(actor=request.user)
            logout(request)
            messages.success(request, "You have been signed out on every device.")
            return redirect("platform:sign_in")
        if action == "new_recovery_codes":
            codes = auth_services.recovery_codes_replace(user=request.user)
            audit.record(AuditAction.UPDATE, obj=request.user, detail={"recovery_codes": "replaced"})
            return render(request, "platform/auth/recovery_codes.html", {"codes": codes})
        messages.error(request, "Choose an action.")
    return render(request, "platform/auth/account.html")


@signed_in(methods=("POST",))
def keep_alive(request):
    # The middleware has already recorded this request as activity.
    return HttpResponse(status=204)


@public(methods=("GET", "POST"))
def timed_out(request):
    # The idle-timeout script POSTs here (with its CSRF token) when its timer runs out: make the
    # page's words true. A GET signs nobody out, so a link or image on another site cannot end a
    # member's session; the server's own idle check has already signed out anyone it sends here.
    if request.method == "POST":
        if request.user.is_authenticated:
            audit.record(AuditAction.TIMED_OUT, obj=request.user, user=request.user)
            logout(request)
    elif request.user.is_authenticated:
        return redirect("platform:home")
    return render(request, "platform/auth/timed_out.html",
                  {"minutes": settings.HEARTH_IDLE_TIMEOUT_MINUTES})

