"""Directory pages: public search and service pages; the partnership admin's staff pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from hearth.directory import permissions as directory_perms
from hearth.platform.forms import add_validation_error
from hearth.platform.policy import public, requires

from . import oruk, selectors, services
from .forms import SearchForm, ServiceForm
from .models import Service
from .taxonomy import AUDIENCE_TAXONOMY, NEEDS_TAXONOMY

POSTCODE_MESSAGES = {
    "format": "Enter a real postcode, like ST4 7NH.",
    "outside": "We can only sort by distance for Stoke-on-Trent and Staffordshire (ST) postcodes. "
               "All services are shown below.",
    "unknown": "We cannot find that postcode. Check it and try again. All services are shown below.",
}


@public
def search(request):
    """Search by need, who it is for, language and postcode (no cookies, nothing stored)."""
    form = SearchForm(request.GET or None)
    found, problem = None, ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        found = selectors.search(need=data["need"], audience=data["audience"], language=data["language"],
                                 postcode=data["postcode"])
        if found.postcode_problem:
            problem = POSTCODE_MESSAGES[found.postcode_problem]
            form.add_error("postcode", problem)
    elif not form.is_bound:
        found = selectors.search()
    return render(request, "directory/search.html", {"form": form, "found": found, "problem": problem},
                  status=400 if form.is_bound and not form.is_valid() and not problem else 200)


@public
def service_page(request, directory_service_number: int):
    try:
        service = selectors.service_get(number=directory_service_number)
    except Service.DoesNotExist:
        raise Http404 from None
    return render(request, "directory/service.html", {
        "service": service, "locations": oruk.public_locations(service)})


@requires(directory_perms.MANAGE_DIRECTORY)
def manage_list(request):
    return render(request, "directory/manage_list.html", {
        "services": Service.objects.select_related("organization", "agency").order_by("name")})


@requires(directory_perms.MANAGE_DIRECTORY, methods=("GET", "POST"))
def manage_edit(request, directory_entry_number: int | None = None):
    service = (get_object_or_404(Service, number=directory_entry_number)
               if directory_entry_number is not None else None)
    initial = {}
    if service is not None:
        contact = service.contacts.order_by("pk").first()
        area = service.service_areas.first()
        initial = {
            "organization_name": service.organization.name, "name": service.name,
            "description": service.description, "phone": contact.phone if contact else "",
            "phone_description": contact.phone_description if contact else "", "email": service.email,
            "url": service.url, "area": area.name if area else "", "status": service.status,
            "needs": list(service.terms.filter(taxonomy__name=NEEDS_TAXONOMY).values_list("code", flat=True)),
            "audiences": list(service.terms.filter(taxonomy__name=AUDIENCE_TAXONOMY)
                              .values_list("code", flat=True)),
            "languages": service.languages, "agency": service.agency,
            "accepts_self_referrals": service.accepts_self_referrals, "is_national": service.is_national,
        }
    form = ServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.service_save(actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, f"Saved {saved.name}. The public directory shows it now.")
            return redirect("directory:manage_list")
    return render(request, "directory/manage_edit.html", {"form": form, "service": service})
