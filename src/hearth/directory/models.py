"""The service directory on the Open Referral UK 3.0 model (a profile of HSDS 3.0).

Entities keep ORUK's names so the read API and the import map field for field:
organisation, service, location (and service-at-location), contact with phones, schedule,
cost option, service area, taxonomy and taxonomy term (linked to services as attributes).
Ids are UUIDs, as ORUK expects; Hearth's own numeric keys stay internal.

Safety rule: a location marked ``confidential`` (a refuge, a safe house) is never shown on
a public page or in the API. Services like that describe where they work with a service area.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from hearth.platform.models import Agency


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class Organization(models.Model):
    """Who runs a service (ORUK ``organization``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    modified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Taxonomy(models.Model):
    """A vocabulary of terms (ORUK ``taxonomy``): Hearth ships "needs" and "who it is for"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name_plural = "taxonomies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """One term (ORUK ``taxonomy_term``), e.g. need "safe accommodation" or audience "men"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    code = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")

    class Meta:
        ordering = ["taxonomy__name", "name"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="term_code_per_taxonomy")]

    def __str__(self) -> str:
        return self.name


class ServiceQuerySet(models.QuerySet):
    def listed(self):
        """Services the public may see: active, or closed for a while (so people know)."""
        return self.filter(status__in=[Status.ACTIVE, Status.TEMPORARILY_CLOSED])


class Service(models.Model):
    """A service people can use (ORUK ``service``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A short number for friendly URLs (/directory/services/3/); ORUK clients use ``id``.
    number = models.PositiveIntegerField(unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = models.TextField()
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.ACTIVE)
    fees_description = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    # ISO 639-1 codes of the languages staff speak or interpret into (ORUK ``languages``).
    languages = models.JSONField(default=list, blank=True)
    terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services",
                                   help_text="Needs met and who the service is for (ORUK attributes).")
    # Hearth's own links: the agency whose inbox receives self-referrals.
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="services")
    accepts_self_referrals = models.BooleanField(default=False)
    is_national = models.BooleanField(default=False, help_text="A national helpline: shown whatever the postcode.")
    modified_at = models.DateTimeField(default=timezone.now)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.number is None:
            last = Service.objects.order_by("-number").values_list("number", flat=True).first()
            self.number = (last or 0) + 1
        super().save(*args, **kwargs)

    @property
    def takes_self_referrals(self) -> bool:
        """Only through Hearth: an onboarded agency's inbox must be there to receive them."""
        return (self.accepts_self_referrals and self.status == Status.ACTIVE and self.agency is not None
                and self.agency.is_onboarded)


class Location(models.Model):
    """Where a service is delivered (ORUK ``location``)."""

    class Kind(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        POSTAL = "postal", "Postal"
        VIRTUAL = "virtual", "Virtual"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location_type = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PHYSICAL)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    address_1 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accessibility = models.TextField(blank=True)
    # A refuge or safe house: never on a public page or in the API, whatever else is set.
    confidential = models.BooleanField(default=False)
    services = models.ManyToManyField(Service, through="ServiceAtLocation", related_name="locations")

    def __str__(self) -> str:
        return self.name


class ServiceAtLocation(models.Model):
    """A service offered at a location (ORUK ``service_at_location``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="service_location_once")]


class Contact(models.Model):
    """A way to reach the service (ORUK ``contact`` with one ``phone``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    phone_description = models.CharField(max_length=200, blank=True, help_text="For example: 24 hours, free.")

    class Meta:
        ordering = ["pk"]


class Schedule(models.Model):
    """When the service is open (ORUK ``schedule``, iCal-style)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    description = models.CharField(max_length=300, blank=True)
    freq = models.CharField(max_length=10, blank=True, help_text="WEEKLY or MONTHLY")
    byday = models.CharField(max_length=40, blank=True, help_text="e.g. MO,TU,WE,TH,FR")
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)


class CostOption(models.Model):
    """What the service costs (ORUK ``cost_option``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    amount_description = models.CharField(max_length=300, blank=True)


class ServiceArea(models.Model):
    """The area a service covers (ORUK ``service_area``): how a refuge says where it works."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
