"""Public help pages: no sign-in, no session, no cookies (except the form's CSRF cookie)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from hearth.directory.selectors import self_referral_services
from hearth.platform.middleware import client_ip
from hearth.platform.policy import public
from hearth.platform.roles import AgencyKind

from . import services
from .forms import SelfReferralForm
from .selectors import help_section, help_sections

# Bigger than any honest answer to the form (about 1,500 characters at most), far below Django's own limit.
MAX_FORM_BYTES = 16 * 1024


def _contact_url(*, behaviour_change: bool) -> str:
    """The contact form with the right service chosen: behaviour change for the "own behaviour" route."""
    url = reverse("public:self_referral")
    for service in self_referral_services():
        if (service.agency.kind == AgencyKind.PERPETRATOR_SERVICE) == behaviour_change:
            return f"{url}?service={service.number}"
    return url


@public
def help_home(request):
    """The front door. Signed-in staff are sent to their own home page."""
    if request.user.is_authenticated:
        return redirect("platform:home")
    return render(request, "public/help.html", {"sections": help_sections(),
                                                "contact_url": _contact_url(behaviour_change=False)})


@public
def help_page(request, section: str):
    return render(request, "public/section.html", {
        "section": help_section(section),
        "contact_url": _contact_url(behaviour_change=section == "own_behaviour")})


@public
def exit_explained(request):
    """GOV.UK "Exit a page quickly" interruption page: the button, the shortcut, and its limits."""
    next_url = request.GET.get("next", "")
    # A path on this site only: browsers read "/\\" as "//", so a bare prefix check is not enough.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("public:help")
    return render(request, "public/exit_explained.html", {"next_url": next_url})


@public
def safety(request):
    return render(request, "public/safety.html")


def _services():
    return self_referral_services()


@public(methods=("GET", "POST"))
def self_referral(request):
    """The short self-referral form. Bad input is explained; robots are quietly refused."""
    offered = _services()
    ip = client_ip(request)
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_FORM_BYTES:
            services.refused_record(ip=ip, why="form too large")
            form = SelfReferralForm(services=offered, initial={"started": services.form_token()})
            return render(request, "public/self_referral.html", {
                "form": form, "services": offered,
                "problem": _("What you sent was too long. Keep your message under 1,000 characters and try again.")},
                status=413)
        form = SelfReferralForm(request.POST, services=offered)
        if request.POST.get("website"):
            services.refused_record(ip=ip, why="honeypot filled")
            return HttpResponseRedirect(reverse("public:self_referral_sent"))
        age = services.token_age(request.POST.get("started", ""))
        if age is None:
            services.refused_record(ip=ip, why="missing or forged start time")
            return HttpResponseRedirect(reverse("public:self_referral_sent"))
        if form.is_valid():
            if age < settings.HEARTH_SELF_REFERRAL_MIN_SECONDS:
                services.refused_record(ip=ip, why="sent too fast")
                form.add_error(None, _("Please check your answers, then press Send again."))
            else:
                service = next(s for s in offered if s.number == form.cleaned_data["service"])
                try:
                    services.self_referral_submit(service=service, answers=form.cleaned_data, ip=ip,
                                                  language=translation.get_language(),
                                                  token=request.POST.get("started", ""))
                except services.TokenSpent:
                    # A replay (or a second press of Send) looks sent, and adds nothing.
                    services.refused_record(ip=ip, why="start token used before")
                return HttpResponseRedirect(reverse("public:self_referral_sent"))
        else:
            services.attempt_record(ip=ip, outcome="invalid")
        # A fresh start time: the next press of Send is measured from now.
        data = request.POST.copy()
        data["started"] = services.form_token()
        form.data = data
        return render(request, "public/self_referral.html", {"form": form, "services": offered}, status=400)
    chosen = request.GET.get("service", "")
    initial = {"started": services.form_token()}
    if chosen.isdigit() and any(s.number == int(chosen) for s in offered):
        initial["service"] = int(chosen)
    elif len(offered) == 1:
        initial["service"] = offered[0].number
    form = SelfReferralForm(services=offered, initial=initial)
    return render(request, "public/self_referral.html", {"form": form, "services": offered})


@public
def self_referral_sent(request):
    """The confirmation never repeats what was typed: nothing lingers on screen or in history."""
    return render(request, "public/self_referral_sent.html")
