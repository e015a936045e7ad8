"""Directory pages: public search and service pages; the partnership admin's staff pages."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from hearth.directory import permissions as directory_perms
from hearth.platform.actions import form_action
from hearth.platform.policy import public, requires

from . import oruk, selectors, services
from .forms import SearchForm, ServiceForm
from .models import Service

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
    return render(request, "directory/manage_list.html", {"services": selectors.services_managed()})


@requires(directory_perms.MANAGE_DIRECTORY, methods=("GET", "POST"))
def manage_edit(request, directory_entry_number: int | None = None):
    service = (selectors.service_managed(number=directory_entry_number)
               if directory_entry_number is not None else None)
    initial = selectors.service_form_initial(service) if service is not None else {}
    form = ServiceForm(request.POST or None, initial=initial)
    return form_action(request, form, lambda data: services.service_save(actor=request.user, service=service, **data),
                       done=lambda saved: f"Saved {saved.name}. The public directory shows it now.",
                       redirect_to="directory:manage_list", template="directory/manage_edit.html",
                       context={"service": service})
