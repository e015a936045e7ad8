"""Open Referral UK 3.0 read endpoints: plain JSON, public, paged with ORUK's envelope.

Only listed services and non-confidential locations are ever returned (see ``oruk.py``).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.dateparse import parse_datetime

from hearth.platform.policy import public

from . import oruk, postcodes, selectors
from .models import Service, ServiceAtLocation, Taxonomy, TaxonomyTerm

MAX_PER_PAGE = 100


def _int(request, name: str, default: int | None, *, low: int = 0, high: int = 10**6) -> int | None:
    value = request.GET.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit():
        raise ValueError(f"{name} must be a whole number")
    return max(low, min(high, int(value)))


def _problem(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _paged(request, items, shape) -> JsonResponse:
    try:
        page = _int(request, "page", 1, low=1)
        per_page = _int(request, "per_page", 50, low=1, high=MAX_PER_PAGE)
    except ValueError as problem:
        return _problem(str(problem))
    total = len(items) if isinstance(items, list) else items.count()
    chunk = items[(page - 1) * per_page: page * per_page]
    return JsonResponse(oruk.page([shape(i) for i in chunk], page_number=page, per_page=per_page, total=total))


@public
def root(request):
    return JsonResponse(oruk.root(request))


@public
def services(request):
    try:
        minimum_age = _int(request, "minimum_age", None, high=130)
        maximum_age = _int(request, "maximum_age", None, high=130)
    except ValueError as problem:
        return _problem(str(problem))
    modified_after = None
    if request.GET.get("modified_after"):
        modified_after = parse_datetime(request.GET["modified_after"])
        if modified_after is None:
            return _problem("modified_after must be an ISO 8601 date and time")
    qs = selectors.services_page(
        search_text=request.GET.get("text", request.GET.get("search", ""))[:100],
        taxonomy_term_id=_uuid_or_blank(request.GET.get("taxonomy_term_id", "")),
        taxonomy_id=_uuid_or_blank(request.GET.get("taxonomy_id", "")),
        minimum_age=minimum_age, maximum_age=maximum_age, modified_after=modified_after)
    full = request.GET.get("full_service") in ("true", "1")
    return _paged(request, qs, lambda s: oruk.service(s, nested=full))


def _uuid_or_blank(value: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(value)) if value else ""
    except ValueError:
        return "00000000-0000-0000-0000-000000000000"  # matches nothing: an unknown id finds no services


@public
def service(request, directory_service_ref: str):
    try:
        found = selectors.service_by_ref(directory_service_ref)
    except Service.DoesNotExist:
        return _problem("No such service", 404)
    return JsonResponse(oruk.service(found))


@public
def taxonomies(request):
    return _paged(request, Taxonomy.objects.order_by("name"), oruk.taxonomy)


@public
def taxonomy_terms(request):
    qs = TaxonomyTerm.objects.select_related("taxonomy").order_by("taxonomy__name", "name")
    if request.GET.get("taxonomy_id"):
        qs = qs.filter(taxonomy_id=_uuid_or_blank(request.GET["taxonomy_id"]))
    if request.GET.get("search"):
        qs = qs.filter(name__icontains=request.GET["search"][:100])
    return _paged(request, qs, oruk.term)


@public
def service_at_locations(request):
    """Services at their public locations; with ``postcode``, nearest first within ``proximity`` metres."""
    qs = (ServiceAtLocation.objects.filter(location__confidential=False, service__in=Service.objects.listed())
          .select_related("service__organization", "location")
          .prefetch_related("service__contacts", "service__schedules", "service__cost_options",
                            "service__service_areas"))
    if request.GET.get("taxonomy_term_id"):
        qs = qs.filter(service__terms__id=_uuid_or_blank(request.GET["taxonomy_term_id"]))
    postcode = request.GET.get("postcode", "").strip()
    if not postcode:
        return _paged(request, qs.order_by("service__name"), oruk.service_at_location)
    try:
        place = postcodes.locate(postcode)
        proximity = _int(request, "proximity", None, low=1, high=500_000)
    except postcodes.PostcodeProblem as problem:
        return _problem({"format": "postcode is not a UK postcode",
                         "outside": "only ST postcodes can be searched by distance",
                         "unknown": "postcode not found"}[problem.code])
    except ValueError as problem:
        return _problem(str(problem))
    rows = []
    for sal in qs:
        loc = sal.location
        if loc.latitude is None or loc.longitude is None:
            continue
        miles = postcodes.distance_miles(place.latitude, place.longitude, float(loc.latitude), float(loc.longitude))
        if proximity is None or miles * 1609.344 <= proximity:
            rows.append((miles, sal))
    rows.sort(key=lambda r: r[0])
    return _paged(request, rows, lambda r: oruk.service_at_location(r[1], r[0]))
