"""Practical support: needs, the item catalogue, the stock ledger, donations, deliveries.

Stock is never a stored count. Every change is a ``StockMovement`` row (append-only: the
database refuses UPDATE and DELETE), and a balance is the sum of its movements. Each item
at each store has one ``StockLine`` row, holding no count: it exists to be locked
(``platform.locks.locked``: that row alone) while a movement is written, so two workers allocating the last
bed at once cannot both succeed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hearth.platform.crypto import EncryptedTextField
from hearth.platform.models import Agency


class Category(models.TextChoices):
    FURNITURE = "furniture", "Furniture and beds"
    BEDDING = "bedding", "Bedding and towels"
    APPLIANCES = "appliances", "Kitchen and household appliances"
    CLOTHING = "clothing", "Clothes and shoes"
    SCHOOL = "school", "School uniform"
    TOILETRIES = "toiletries", "Toiletries"
    FOOD = "food", "Food"
    BABY = "baby", "Baby items"
    TOYS = "toys", "Toys and gifts"
    VOUCHERS = "vouchers", "Gift vouchers"


class Store(models.Model):
    """A place an agency keeps donated goods (a store room, a warehouse, the van)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="support_stores")
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="support_store_name_once")]

    def __str__(self) -> str:
        return self.name


class ItemType(models.Model):
    """A kind of item in an agency's catalogue: "Single bed", counted in "bed"s."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="support_items")
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices)
    unit = models.CharField(max_length=40, default="item", help_text="What one counts: item, set, pack, pair.")
    # Below this many available across all stores, the charity team gets a notice.
    low_stock_level = models.PositiveIntegerField(default=0)
    has_size = models.BooleanField(default=False, help_text="Needs a size or age (clothes, uniform).")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="support_item_name_once")]

    def __str__(self) -> str:
        return self.name


class StockLine(models.Model):
    """One item at one store: the row locked while that item's ledger there changes.

    Deliberately holds no quantity: the balance is always the sum of the movements.
    """

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="lines")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "item"], name="support_stock_line_once")]


class MovementKind(models.TextChoices):
    RECEIVED = "received", "Donation received"
    PURCHASED = "purchased", "Purchased"
    RESERVED = "reserved", "Reserved for a family"
    RELEASED = "released", "Reservation released"
    DELIVERED = "delivered", "Delivered or collected"
    WRITTEN_OFF = "written_off", "Damaged or written off"


# How each kind of movement changes (on hand, reserved) for a quantity q > 0.
MOVEMENT_EFFECT: dict[str, tuple[int, int]] = {
    MovementKind.RECEIVED: (1, 0),
    MovementKind.PURCHASED: (1, 0),
    MovementKind.RESERVED: (0, 1),
    MovementKind.RELEASED: (0, -1),
    MovementKind.DELIVERED: (-1, -1),
    MovementKind.WRITTEN_OFF: (-1, 0),
}


class StockMovementQuerySet(models.QuerySet):
    """Refuses bulk changes: the ledger only grows."""

    def update(self, **kwargs):
        raise ValueError("Stock movements are append-only: record a new movement instead.")

    def delete(self):
        raise ValueError("Stock movements are append-only: record a new movement instead.")


class StockMovement(models.Model):
    """One append-only row of the stock ledger. Never updated, never deleted."""

    line = models.ForeignKey(StockLine, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    quantity = models.PositiveIntegerField()
    # Signed effects, so balances are plain sums in the database.
    on_hand_change = models.IntegerField()
    reserved_change = models.IntegerField()
    donation = models.ForeignKey("Donation", null=True, blank=True, on_delete=models.PROTECT, related_name="movements")
    allocation = models.ForeignKey("Allocation", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="movements")
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="support_movement_positive")]

    def save(self, *args, **kwargs):
        # The database refuses too (a trigger); this says so earlier and more clearly.
        if self.pk is not None:
            raise ValueError("Stock movements are append-only: record a new movement instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Stock movements are append-only: record a new movement instead.")


class Appeal(models.Model):
    """A call for particular donations over some dates (Easter eggs 2021, winter coats)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="support_appeals")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="support_appeal_dates_in_order")]

    def __str__(self) -> str:
        return self.name


class AppealTarget(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="targets")
    item = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appeal", "item"], name="support_appeal_target_once")]


class DonorKind(models.TextChoices):
    PERSON = "person", "A member of the public"
    BUSINESS = "business", "A business or organisation"
    ANONYMOUS = "anonymous", "Anonymous"


class Donation(models.Model):
    """Goods (and perhaps money) given to the agency, who brought them in, and where they went."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="support_donations")
    appeal = models.ForeignKey(Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="donations")
    donor_kind = models.CharField(max_length=20, choices=DonorKind.choices)
    donor_name = models.CharField(max_length=200, blank=True)
    # A donor's postal address is personal data: kept encrypted, used for the thank-you letter.
    donor_address = EncryptedTextField(blank=True)
    received_on = models.DateField()
    collected_by = models.CharField(max_length=200, blank=True,
                                    help_text="Who brought it in, e.g. the Stoke North PCSO team.")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="donations")
    money_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    gift_aid = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    thanked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"Donation {self.pk}"

    @property
    def donor_label(self) -> str:
        return "Anonymous" if self.donor_kind == DonorKind.ANONYMOUS else self.donor_name


class DonationLine(models.Model):
    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()


class SupportCase(models.Model):
    """One family the agency is helping, from an accepted referral (or a self-referral).

    Holds the household's shape as the charity may know it: how many adults, the
    children's ages (never their names or schools).
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="support_cases")
    referral = models.OneToOneField("referrals.Referral", on_delete=models.PROTECT, related_name="support_case")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(help_text="When the referral was sent: the start of the clock.")
    adults = models.PositiveSmallIntegerField(default=1)
    children_ages = models.JSONField(default=list, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"Support case {self.pk}"

    def member_choices(self) -> list[str]:
        """The household members needs are recorded for, named by role and age only."""
        choices = ["Whole household"]
        choices += [f"Adult {n}" for n in range(1, self.adults + 1)] if self.adults > 1 else ["Adult"]
        choices += [f"Child aged {age}" for age in self.children_ages]
        return choices


class NeedUrgency(models.TextChoices):
    TODAY = "today", "Needed today"
    THIS_WEEK = "this_week", "This week"
    ROUTINE = "routine", "When possible"


URGENCY_ORDER = {NeedUrgency.TODAY: 0, NeedUrgency.THIS_WEEK: 1, NeedUrgency.ROUTINE: 2}


class NeedStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    CANCELLED = "cancelled", "No longer needed"


class Need(models.Model):
    """Something one member of the household needs: what, how many, what size, how soon."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="needs")
    member = models.CharField(max_length=60, help_text="Whole household, Adult, Child aged 9…")
    item = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="needs")
    quantity = models.PositiveIntegerField()
    size = models.CharField(max_length=60, blank=True, help_text="Size or age, e.g. age 9–10, single.")
    urgency = models.CharField(max_length=20, choices=NeedUrgency.choices, default=NeedUrgency.THIS_WEEK)
    # The charity's own notes: never shown to the referrer.
    notes = EncryptedTextField(blank=True)
    status = models.CharField(max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "member", "pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="support_need_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item} for {self.member}"


class AllocationStatus(models.TextChoices):
    RESERVED = "reserved", "Reserved"
    DELIVERED = "delivered", "Delivered"
    RELEASED = "released", "Released back to stock"


class Allocation(models.Model):
    """Stock set aside from one store for one need; delivered allocations never change."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="allocations")
    line = models.ForeignKey(StockLine, on_delete=models.PROTECT, related_name="allocations")
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=AllocationStatus.choices, default=AllocationStatus.RESERVED)
    delivery = models.ForeignKey("Delivery", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="allocations")
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["allocated_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="support_allocation_positive")]


class DeliveryMethod(models.TextChoices):
    DELIVERY = "delivery", "Delivered to the family"
    COLLECTION = "collection", "Collected from the store"


class Slot(models.TextChoices):
    MORNING = "morning", "Morning (9am to 12pm)"
    AFTERNOON = "afternoon", "Afternoon (12pm to 5pm)"


class DeliveryStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class Delivery(models.Model):
    """Reserved items taken to a family (or collected by them) in one slot.

    The address is a safe address: encrypted, written once by the worker who arranges the
    delivery, and shown only to the driver on the delivery's day until it closes, and to
    those the access policy gives the person's safe address. Nothing here records why the
    family needs help: delivery notes and van sheets carry no reason.
    """

    case = models.ForeignKey(SupportCase, on_delete=models.PROTECT, related_name="deliveries")
    method = models.CharField(max_length=20, choices=DeliveryMethod.choices, default=DeliveryMethod.DELIVERY)
    slot_date = models.DateField(db_index=True)
    slot = models.CharField(max_length=20, choices=Slot.choices, default=Slot.MORNING)
    driver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="support_deliveries")
    address = EncryptedTextField(blank=True)
    contact_allowed = models.BooleanField(default=False, help_text="The driver may have a contact number.")
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PLANNED)
    received_by = models.CharField(max_length=120, blank=True, help_text="Who took the items in (first name).")
    arranged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    arranged_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        ordering = ["slot_date", "slot", "pk"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"Delivery {self.reference}"

    @property
    def reference(self) -> str:
        return f"D{self.pk:05d}"

    @property
    def is_open(self) -> bool:
        return self.status == DeliveryStatus.PLANNED
