"""Reads of the directory: public search (by need, who it is for, language, postcode distance).

The directory holds no case data, so public reads are not audited per view; the staff pages'
writes are (services.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from . import postcodes
from .models import Contact, Service, ServiceAtLocation, Status, TaxonomyTerm
from .taxonomy import AUDIENCE_TAXONOMY, NEEDS_TAXONOMY


def _with_details(qs: QuerySet[Service]) -> QuerySet[Service]:
    return qs.select_related("organization", "agency").prefetch_related(
        "terms__taxonomy", "schedules", "cost_options", "service_areas",
        Prefetch("contacts", queryset=Contact.objects.order_by("pk")),
        Prefetch("service_at_locations", queryset=ServiceAtLocation.objects.select_related("location")),
    )


def needs() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(taxonomy__name=NEEDS_TAXONOMY).order_by("name")


def audiences() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(taxonomy__name=AUDIENCE_TAXONOMY).order_by("name")


@dataclass
class Result:
    service: Service
    distance: float | None = None  # miles to the nearest public location, if searched by postcode
    nearest: object = None


@dataclass
class Search:
    results: list[Result] = field(default_factory=list)
    place: postcodes.Place | None = None
    postcode_problem: str = ""


def search(*, text: str = "", need: str = "", audience: str = "", language: str = "", postcode: str = "",
           within_miles: float | None = None) -> Search:
    """Listed services matching every filter given; by postcode, nearest first.

    Services with no public location (helplines, refuges described by area) are kept, after
    the located ones: a phone line is as near as the phone. A postcode that cannot be placed
    gives ``postcode_problem`` and no distances, not an error page.
    """
    qs = Service.objects.listed()
    if text.strip():
        words = text.strip()[:100]
        qs = qs.filter(Q(name__icontains=words) | Q(description__icontains=words)
                       | Q(organization__name__icontains=words))
    if need:
        qs = qs.filter(terms__code=need, terms__taxonomy__name=NEEDS_TAXONOMY)
    if audience:
        qs = qs.filter(terms__code=audience, terms__taxonomy__name=AUDIENCE_TAXONOMY)
    services = list(_with_details(qs.distinct()))
    if language:
        services = [s for s in services if language in s.languages]
    found = Search()
    if postcode.strip():
        try:
            found.place = postcodes.locate(postcode)
        except postcodes.PostcodeProblem as problem:
            found.postcode_problem = problem.code
    for svc in services:
        result = Result(svc)
        if found.place is not None:
            for sal in svc.service_at_locations.all():
                loc = sal.location
                if loc.confidential or loc.latitude is None or loc.longitude is None:
                    continue
                d = postcodes.distance_miles(found.place.latitude, found.place.longitude,
                                             float(loc.latitude), float(loc.longitude))
                if result.distance is None or d < result.distance:
                    result.distance, result.nearest = d, loc
        if within_miles is not None and result.distance is not None and result.distance > within_miles:
            continue
        found.results.append(result)
    if found.place is not None:
        found.results.sort(key=lambda r: (r.distance is None, r.distance or 0, r.service.is_national, r.service.name))
    else:
        found.results.sort(key=lambda r: (r.service.is_national, r.service.name))
    return found


def service_get(*, number: int) -> Service:
    """One listed service by its short number (raises ``Service.DoesNotExist``)."""
    return _with_details(Service.objects.listed()).get(number=number)


def services_managed() -> QuerySet[Service]:
    """Every service in the directory, whatever its status, for the partnership admin."""
    return Service.objects.select_related("organization", "agency").order_by("name")


def service_managed(*, number: int) -> Service:
    """One service by its number, whatever its status, for the partnership admin (else a 404)."""
    return get_object_or_404(Service, number=number)


def service_form_initial(service: Service) -> dict:
    """What the admin's form for a service starts with: the service as it is now."""
    contact = service.contacts.order_by("pk").first()
    area = service.service_areas.first()
    return {
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


def service_by_ref(ref: str) -> Service:
    """One listed service by ORUK id (a UUID) or Hearth's short number."""
    qs = _with_details(Service.objects.listed())
    if ref.isdigit():
        return qs.get(number=int(ref))
    import uuid

    try:
        return qs.get(pk=uuid.UUID(ref))
    except ValueError:
        raise Service.DoesNotExist from None


def services_page(*, search_text: str = "", taxonomy_term_id: str = "", taxonomy_id: str = "",
                  minimum_age: int | None = None, maximum_age: int | None = None,
                  modified_after=None) -> QuerySet[Service]:
    """The API's ``/services`` filters, as a queryset (ordered by name)."""
    qs = Service.objects.listed()
    if search_text:
        qs = qs.filter(Q(name__icontains=search_text) | Q(description__icontains=search_text))
    if taxonomy_term_id:
        qs = qs.filter(terms__id=taxonomy_term_id)
    if taxonomy_id:
        qs = qs.filter(terms__taxonomy_id=taxonomy_id)
    if minimum_age is not None:  # the service must take people this young
        qs = qs.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=minimum_age))
    if maximum_age is not None:
        qs = qs.filter(Q(maximum_age__isnull=True) | Q(maximum_age__gte=maximum_age))
    if modified_after is not None:
        qs = qs.filter(modified_at__gt=modified_after)
    return _with_details(qs.distinct().order_by("name"))


def self_referral_services() -> list[Service]:
    """Services a visitor may refer themselves to through Hearth."""
    return [s for s in Service.objects.filter(status=Status.ACTIVE, accepts_self_referrals=True,
                                              agency__is_onboarded=True).select_related("agency")
            .order_by("name")]
