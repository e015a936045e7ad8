"""Open Referral UK 3.0 shapes: services and friends as the API returns them, and the page envelope.

Only public facts leave here: confidential locations are dropped before anything is shaped.
"""

from __future__ import annotations

import math

from .models import Location, Service, ServiceAtLocation, TaxonomyTerm

ORUK_VERSION = "3.0"
ORUK_PROFILE = "https://openreferraluk.org/"
# Hearth serves the standard's read endpoints unchanged, so it points at the standard's own OpenAPI.
ORUK_OPENAPI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"


def _time(value):
    return value.strftime("%H:%M") if value else None


def _num(value):
    return float(value) if value is not None else None


def term(term: TaxonomyTerm) -> dict:
    return {
        "id": str(term.id), "code": term.code, "name": term.name, "description": term.description,
        "parent_id": str(term.parent_id) if term.parent_id else None, "taxonomy_id": str(term.taxonomy_id),
        "taxonomy": term.taxonomy.name, "version": term.taxonomy.version or None,
    }


def taxonomy(tax) -> dict:
    return {"id": str(tax.id), "name": tax.name, "description": tax.description, "uri": tax.uri or None,
            "version": tax.version or None}


def location(loc: Location) -> dict:
    return {
        "id": str(loc.id), "location_type": loc.location_type, "name": loc.name, "description": loc.description,
        "latitude": _num(loc.latitude), "longitude": _num(loc.longitude),
        "addresses": [{
            "address_1": loc.address_1, "city": loc.city, "postal_code": loc.postal_code,
            "country": "GB", "address_type": "physical",
        }] if loc.address_1 or loc.postal_code else [],
        "accessibility": [{"description": loc.accessibility}] if loc.accessibility else [],
    }


def public_locations(service: Service) -> list[Location]:
    # The one place locations are chosen for the public: confidential ones never pass.
    return [sal.location for sal in service.service_at_locations.all() if not sal.location.confidential]


def service(svc: Service, *, nested: bool = True) -> dict:
    """A service in ORUK shape; ``nested`` adds locations and attributes (the ``/services/{id}`` view)."""
    data = {
        "id": str(svc.id), "name": svc.name, "alternate_name": svc.alternate_name or None,
        "description": svc.description, "url": svc.url or None, "email": svc.email or None,
        "status": svc.status, "fees_description": svc.fees_description or None,
        "eligibility_description": svc.eligibility_description or None,
        "minimum_age": svc.minimum_age, "maximum_age": svc.maximum_age,
        "last_modified": svc.modified_at.isoformat(),
        "organization": {"id": str(svc.organization.id), "name": svc.organization.name,
                         "description": svc.organization.description,
                         "website": svc.organization.website or None},
        "contacts": [{
            "id": str(c.id), "name": c.name or None, "title": c.title or None, "email": c.email or None,
            "phones": [{"id": f"{c.id}-phone", "number": c.phone, "description": c.phone_description or None}]
            if c.phone else [],
        } for c in svc.contacts.all()],
        "phones": [{"id": f"{c.id}-phone", "number": c.phone, "description": c.phone_description or None}
                   for c in svc.contacts.all() if c.phone],
        "schedules": [{
            "id": str(s.id), "description": s.description or None, "freq": s.freq or None,
            "byday": s.byday or None, "opens_at": _time(s.opens_at), "closes_at": _time(s.closes_at),
        } for s in svc.schedules.all()],
        "cost_options": [{
            "id": str(c.id), "option": c.option or None, "amount": _num(c.amount), "currency": c.currency,
            "amount_description": c.amount_description or None,
        } for c in svc.cost_options.all()],
        "service_areas": [{"id": str(a.id), "name": a.name, "description": a.description or None}
                          for a in svc.service_areas.all()],
        "languages": [{"id": f"{svc.id}-{code}", "code": code} for code in svc.languages],
    }
    if nested:
        data["attributes"] = [{"id": f"{svc.id}-{t.id}", "taxonomy_term_id": str(t.id), "taxonomy_term": term(t)}
                              for t in svc.terms.all()]
        data["service_at_locations"] = [
            {"id": str(sal.id), "location": location(sal.location)}
            for sal in svc.service_at_locations.all() if not sal.location.confidential]
    return data


def service_at_location(sal: ServiceAtLocation, distance: float | None = None) -> dict:
    data = {"id": str(sal.id), "service": service(sal.service, nested=False), "location": location(sal.location)}
    if distance is not None:
        data["distance_miles"] = round(distance, 2)
    return data


def page(items: list, *, page_number: int, per_page: int, total: int) -> dict:
    """ORUK's page envelope around one page of ``items``."""
    total_pages = max(1, math.ceil(total / per_page)) if per_page else 1
    return {
        "total_items": total, "total_pages": total_pages, "page_number": page_number, "size": len(items),
        "first_page": page_number == 1, "last_page": page_number >= total_pages, "empty": not items,
        "contents": items,
    }


def root(request) -> dict:
    return {"version": ORUK_VERSION, "profile": ORUK_PROFILE, "openapi_url": ORUK_OPENAPI}
