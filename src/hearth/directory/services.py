"""Writes to the directory: a partnership admin's edits and ORUK feed imports. Each is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_time

from hearth.directory import permissions as directory_perms
from hearth.platform import access, audit
from hearth.platform.models import Agency, AuditAction

from .models import (
    Contact,
    CostOption,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Status,
    Taxonomy,
    TaxonomyTerm,
)
from .taxonomy import AUDIENCE_TAXONOMY, AUDIENCES, NEEDS, NEEDS_TAXONOMY

# Needs whose services keep their buildings secret: imported locations become confidential.
CONFIDENTIAL_NEEDS = {"safe-accommodation"}


_require = partial(access.require, object_type="directory.service")


def taxonomy_ensure() -> None:
    """Make sure Hearth's two vocabularies and their terms exist (idempotent)."""
    for tax_name, terms in ((NEEDS_TAXONOMY, NEEDS), (AUDIENCE_TAXONOMY, AUDIENCES)):
        tax, _ = Taxonomy.objects.get_or_create(name=tax_name, defaults={"version": "1"})
        for code, name in terms:
            TaxonomyTerm.objects.get_or_create(taxonomy=tax, code=code, defaults={"name": name})


def _terms(needs: list[str], audiences: list[str]) -> list[TaxonomyTerm]:
    return list(TaxonomyTerm.objects.filter(taxonomy__name=NEEDS_TAXONOMY, code__in=needs)) + list(
        TaxonomyTerm.objects.filter(taxonomy__name=AUDIENCE_TAXONOMY, code__in=audiences))


@transaction.atomic
def service_save(*, actor, service: Service | None = None, organization_name: str, name: str, description: str,
                 phone: str = "", phone_description: str = "", email: str = "", url: str = "",
                 area: str = "", needs: list[str] = (), audiences: list[str] = (), languages: list[str] = (),
                 status: str = Status.ACTIVE, agency: Agency | None = None, accepts_self_referrals: bool = False,
                 is_national: bool = False, minimum_age: int | None = None, fees_description: str = "Free",
                 eligibility_description: str = "") -> Service:
    """A partnership admin adds or changes a directory entry (the public sees it at once).

    One phone contact and one service area are edited here; richer entries come by import.
    A service takes self-referrals only if it is linked to an onboarded agency.
    """
    _require(actor, directory_perms.MANAGE_DIRECTORY)
    errors = {}
    if not organization_name.strip():
        errors["organization_name"] = "Enter who runs the service."
    if not name.strip():
        errors["name"] = "Enter the service's name."
    if not description.strip():
        errors["description"] = "Describe the service in a sentence or two."
    if status not in Status.values:
        errors["status"] = "Choose a status."
    if accepts_self_referrals and (agency is None or not agency.is_onboarded):
        errors["agency"] = "Link an onboarded agency to take self-referrals: they arrive in its inbox."
    if not phone.strip() and not email.strip() and not url.strip():
        errors["phone"] = "Enter at least one way to reach the service: phone, email or website."
    if errors:
        raise ValidationError(errors)
    organization, _ = Organization.objects.get_or_create(name=organization_name.strip())
    created = service is None
    service = service or Service()
    service.organization, service.name, service.description = organization, name.strip(), description.strip()
    service.email, service.url, service.status = email.strip(), url.strip(), status
    service.agency, service.accepts_self_referrals, service.is_national = agency, accepts_self_referrals, is_national
    service.languages, service.minimum_age = sorted(set(languages)), minimum_age
    service.fees_description, service.eligibility_description = fees_description.strip(), eligibility_description
    service.modified_at = timezone.now()
    service.full_clean(exclude=["number"])
    service.save()
    service.terms.set(_terms(list(needs), list(audiences)))
    contact = service.contacts.order_by("pk").first()
    if phone.strip():
        contact = contact or Contact(service=service)
        contact.phone, contact.phone_description = phone.strip(), phone_description.strip()
        contact.save()
    elif contact is not None:
        contact.delete()
    service.service_areas.all().delete()
    if area.strip():
        ServiceArea.objects.create(service=service, name=area.strip())
    audit.record(AuditAction.CREATE if created else AuditAction.UPDATE, obj=service,
                 detail={"status": status, "self_referrals": accepts_self_referrals})
    return service


# ---------------------------------------------------------------------------
# ORUK JSON feed import
# ---------------------------------------------------------------------------

@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)


def _uuid(value, where: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        raise ValidationError(f"{where}: id {value!r} is not a UUID") from None


def _text(data: dict, key: str, limit: int = 5000) -> str:
    value = data.get(key)
    return str(value).strip()[:limit] if value is not None else ""


def _url(value: str) -> str:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return ""
    return value


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def _services_in(feed) -> list[dict]:
    if isinstance(feed, list):
        return feed
    if isinstance(feed, dict):
        for key in ("contents", "services"):
            if isinstance(feed.get(key), list):
                return feed[key]
        if "name" in feed and "id" in feed:
            return [feed]
    raise ValidationError("The feed is not ORUK JSON: expected a list of services or a page with 'contents'.")


def _term_for(data: dict) -> TaxonomyTerm | None:
    term_data = data.get("taxonomy_term") or data
    if not isinstance(term_data, dict) or not term_data.get("id") or not term_data.get("name"):
        return None
    term_id = _uuid(term_data["id"], "taxonomy_term")
    existing = TaxonomyTerm.objects.filter(pk=term_id).first()
    if existing:
        return existing
    tax_data = term_data.get("taxonomy_detail") or term_data.get("taxonomy") or {}
    tax_name = tax_data.get("name") if isinstance(tax_data, dict) else str(tax_data or "")
    tax_name = (tax_name or "Imported").strip()[:200]
    tax, _ = Taxonomy.objects.get_or_create(name=tax_name)
    code = (_text(term_data, "code", 80) or str(term_id))[:80]
    term, _ = TaxonomyTerm.objects.get_or_create(
        taxonomy=tax, code=code, defaults={"id": term_id, "name": _text(term_data, "name", 200),
                                           "description": _text(term_data, "description")})
    return term


def _import_one(data: dict) -> bool:
    if not isinstance(data, dict):
        raise ValidationError("a service is not a JSON object")
    service_id = _uuid(data.get("id"), "service")
    name = _text(data, "name", 200)
    if not name:
        raise ValidationError(f"service {service_id}: no name")
    org_data = data.get("organization") or {}
    org_name = _text(org_data, "name", 200) or name
    organization = Organization.objects.filter(name=org_name).first()
    if organization is None:
        org_id = _uuid(org_data["id"], "organization") if org_data.get("id") else uuid.uuid4()
        organization = Organization.objects.create(id=org_id, name=org_name,
                                                   description=_text(org_data, "description"),
                                                   website=_url(_text(org_data, "website", 200)))
    status = _text(data, "status", 30) or Status.ACTIVE
    service = Service.objects.filter(pk=service_id).first()
    created = service is None
    service = service or Service(id=service_id)
    service.organization, service.name = organization, name
    service.alternate_name = _text(data, "alternate_name", 200)
    service.description = _text(data, "description") or name
    service.url, service.email = _url(_text(data, "url", 200)), _email(_text(data, "email", 254))
    service.status = status if status in Status.values else Status.INACTIVE
    service.fees_description = _text(data, "fees_description")
    service.eligibility_description = _text(data, "eligibility_description")
    for key in ("minimum_age", "maximum_age"):
        value = data.get(key)
        setattr(service, key, int(value) if isinstance(value, int | float) and 0 <= value < 130 else None)
    service.languages = sorted({(lang.get("code") or "")[:3].lower() for lang in data.get("languages") or []
                                if isinstance(lang, dict) and lang.get("code")})
    service.modified_at = timezone.now()
    service.save()
    terms = [_term_for(a) for a in data.get("attributes") or [] if isinstance(a, dict)]
    service.terms.set([t for t in terms if t is not None])
    confidential = bool(set(service.terms.values_list("code", flat=True)) & CONFIDENTIAL_NEEDS)

    # Replace the nested parts wholesale: the feed is the truth for an imported service.
    service.contacts.all().delete()
    for contact in data.get("contacts") or []:
        phones = contact.get("phones") or [{}]
        Contact.objects.create(service=service, name=_text(contact, "name", 200), title=_text(contact, "title", 200),
                               email=_email(_text(contact, "email", 254)), phone=_text(phones[0], "number", 30),
                               phone_description=_text(phones[0], "description", 200))
    if not data.get("contacts"):
        for phone in data.get("phones") or []:
            Contact.objects.create(service=service, phone=_text(phone, "number", 30),
                                   phone_description=_text(phone, "description", 200))
    service.schedules.all().delete()
    for sched in data.get("schedules") or []:
        Schedule.objects.create(service=service, description=_text(sched, "description", 300),
                                freq=_text(sched, "freq", 10), byday=_text(sched, "byday", 40),
                                opens_at=parse_time(_text(sched, "opens_at", 8) or "") or None,
                                closes_at=parse_time(_text(sched, "closes_at", 8) or "") or None)
    service.cost_options.all().delete()
    for cost in data.get("cost_options") or []:
        amount = cost.get("amount")
        CostOption.objects.create(service=service, option=_text(cost, "option", 200),
                                  amount=amount if isinstance(amount, int | float) else None,
                                  currency=(_text(cost, "currency", 3) or "GBP"),
                                  amount_description=_text(cost, "amount_description", 300))
    service.service_areas.all().delete()
    for area in data.get("service_areas") or []:
        area_name = _text(area, "name", 200) or _text(area, "service_area", 200)
        if area_name:
            ServiceArea.objects.create(service=service, name=area_name, description=_text(area, "description"))
    for sal in data.get("service_at_locations") or []:
        loc_data = sal.get("location") or {}
        if not loc_data.get("id"):
            continue
        loc_id = _uuid(loc_data["id"], "location")
        address = (loc_data.get("addresses") or [{}])[0]
        loc, _ = Location.objects.update_or_create(id=loc_id, defaults={
            "name": _text(loc_data, "name", 200) or name, "description": _text(loc_data, "description"),
            "location_type": _text(loc_data, "location_type", 20) if loc_data.get("location_type") in
            Location.Kind.values else Location.Kind.PHYSICAL,
            "latitude": loc_data.get("latitude"), "longitude": loc_data.get("longitude"),
            "address_1": _text(address, "address_1", 200), "city": _text(address, "city", 100),
            "postal_code": _text(address, "postal_code", 10),
        })
        if confidential and not loc.confidential:
            loc.confidential = True
            loc.save(update_fields=["confidential"])
        ServiceAtLocation.objects.get_or_create(service=service, location=loc)
    return created


def feed_import(*, feed, source: str) -> ImportResult:
    """Load an ORUK JSON feed (a council's directory): create or update each service by its id.

    A bad service is skipped with its reason, the rest still load; each service is its own
    transaction. Locations of safe-accommodation services are stored as confidential.
    """
    taxonomy_ensure()
    result = ImportResult()
    for index, data in enumerate(_services_in(feed)):
        try:
            with transaction.atomic():
                if _import_one(data):
                    result.created += 1
                else:
                    result.updated += 1
        except (ValidationError, KeyError, TypeError, AttributeError, ValueError) as problem:
            label = data.get("id", index) if isinstance(data, dict) else index
            message = "; ".join(problem.messages) if isinstance(problem, ValidationError) else str(problem)
            result.skipped.append(f"service {label}: {message}")
    audit.record(AuditAction.CREATE, object_type="directory.import", object_id=source[:64],
                 detail={"created": result.created, "updated": result.updated, "skipped": len(result.skipped)})
    return result
