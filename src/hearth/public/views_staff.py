"""Staff pages of the public help site (partnership admin): help text, held self-referrals."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from hearth.platform.actions import button_action, form_action
from hearth.platform.policy import requires
from hearth.public import permissions as public_perms

from . import services
from .forms import HelpTextForm
from .models import HelpSection
from .selectors import held_get, held_waiting, help_section, help_versions


@requires(public_perms.EDIT_HELP)
def help_text_list(request):
    rows = []
    for key, label in HelpSection.choices:
        for code, name in settings.LANGUAGES:
            current = help_section(key, code)
            rows.append({"key": key, "label": label, "code": code, "language": name, "current": current})
    return render(request, "public/staff/help_text_list.html", {"rows": rows})


@requires(public_perms.EDIT_HELP, methods=("GET", "POST"))
def help_text_edit(request):
    key = request.GET.get("section") or request.POST.get("section") or HelpSection.WHAT_IS_ABUSE
    code = request.GET.get("language") or request.POST.get("language") or settings.LANGUAGE_CODE
    if key not in HelpSection.values or code not in dict(settings.LANGUAGES):
        raise Http404
    current = help_section(key, code)
    if request.method == "POST":
        form = HelpTextForm(request.POST)
    else:
        body = "\n\n".join("\n".join(f"- {b}" for b in block) if isinstance(block, list) else block
                           for block in current.paragraphs)
        form = HelpTextForm(initial={"section": key, "language": code, "title": current.title, "body": body})
    return form_action(request, form, lambda data: services.help_text_publish(actor=request.user, **data),
                       done="Published. The help page shows the new text now.",
                       redirect_to="public_admin:help_text_list", template="public/staff/help_text_edit.html",
                       context=lambda: {
                           "current": current, "versions": help_versions(section=key, language=code)[:10],
                           "language_name": dict(settings.LANGUAGES)[code], "section_label": HelpSection(key).label,
                       })


@requires(public_perms.REVIEW_HELD)
def held_list(request):
    return render(request, "public/staff/held_list.html", {"held": held_waiting()})


@requires(public_perms.REVIEW_HELD, methods=("POST",))
def held_decide(request, held_referral_id: int):
    held = held_get(held_referral_id)
    return button_action(
        request, lambda: services.held_decide(actor=request.user, held=held,
                                              release=request.POST.get("decision") == "release"),
        done=lambda _: "Released to the service's inbox." if held.released_at else "Deleted.",
        redirect_to="public_admin:held_list")
