"""People, households, relationships and incidents: one identity across agencies.

Each agency keeps its own ``Person`` record (its own words, its own access); records that
are the same human being share an ``Identity``. Linking and unlinking identities never
copies data between records, so a wrong link can be undone and leaks nothing by itself.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from hearth.platform.access import visible_to
from hearth.platform.crypto import EncryptedJSONField, EncryptedTextField
from hearth.platform.models import Agency
from hearth.platform.roles import Part


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the people the user may open (the access policy's choke point)."""
        return visible_to(user, self)


class Identity(models.Model):
    """One human being, as recognised across the partnership's records."""

    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"Identity {self.pk}"


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class Person(models.Model):
    """One agency's record of a person, each field belonging to one protected part."""

    identity = models.ForeignKey(Identity, on_delete=models.PROTECT, related_name="records")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    aliases = models.CharField(max_length=300, blank=True,
                               help_text="Other names, nicknames and previous surnames, separated by commas.")
    date_of_birth = models.DateField(null=True, blank=True)
    approximate_age = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_KNOWN)
    language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    # Equality monitoring (aggregates only outside the owning agency).
    ethnicity = models.CharField(max_length=80, blank=True)
    disability = models.CharField(max_length=200, blank=True)
    sexual_orientation = models.CharField(max_length=60, blank=True)
    phone = EncryptedTextField(blank=True)
    email = EncryptedTextField(blank=True)
    safe_contact = EncryptedTextField(
        blank=True, help_text="When and how it is safe to contact them."
    )
    safe_address = EncryptedTextField(blank=True)
    postcode = EncryptedTextField(blank=True)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PersonQuerySet.as_manager()

    # Which part of the record each field belongs to (ACCESS.md): pages show a field
    # only when ``access.parts_for`` includes its part.
    FIELD_PARTS = {
        "given_name": Part.IDENTITY,
        "family_name": Part.IDENTITY,
        "aliases": Part.IDENTITY,
        "date_of_birth": Part.IDENTITY,
        "approximate_age": Part.IDENTITY,
        "gender": Part.IDENTITY,
        "language": Part.IDENTITY,
        "interpreter_needed": Part.IDENTITY,
        "ethnicity": Part.EQUALITY,
        "disability": Part.EQUALITY,
        "sexual_orientation": Part.EQUALITY,
        "phone": Part.CONTACT,
        "email": Part.CONTACT,
        "safe_contact": Part.CONTACT,
        "safe_address": Part.SAFE_ADDRESS,
        "postcode": Part.SAFE_ADDRESS,
    }

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["family_name", "given_name"], name="person_name")]

    def __str__(self) -> str:
        return f"Person {self.pk}"


class PersonHistory(models.Model):
    """The earlier values of a record's fields, kept (encrypted) when they change."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="history")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    previous = EncryptedJSONField(help_text="Field name -> value before the change.")

    class Meta:
        ordering = ["-changed_at"]


class BlockingKey(models.Model):
    """Keyed hashes of a record's matching keys: candidates for identity matching.

    Hashed (HMAC) so the index holds no phone number, email or address in the clear.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blocking_keys")
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["key"], name="blocking_key")]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="blocking_key_once")]


class NotSamePerson(models.Model):
    """A practitioner's judgement that two records are different people: never suggest again."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person_a", "person_b"], name="not_same_once")]


class IdentityMerge(models.Model):
    """Two identities joined as one; ``undone_at`` set when split apart again."""

    kept = models.ForeignKey(Identity, on_delete=models.PROTECT, related_name="+")
    absorbed = models.ForeignKey(Identity, on_delete=models.PROTECT, related_name="+")
    moved_records = models.JSONField(help_text="Person ids moved from the absorbed identity.")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)


class Household(models.Model):
    """People living together, recorded by one agency."""

    name = models.CharField(max_length=120, help_text="A label, e.g. the family name.")
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="households")
    is_child = models.BooleanField(default=False)
    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "person"], name="member_once")]


class RelationshipKind(models.TextChoices):
    PARTNER = "partner", "Partner"
    EX_PARTNER = "ex_partner", "Ex-partner"
    PARENT = "parent", "Parent of"
    SIBLING = "sibling", "Sibling"
    OTHER_FAMILY = "other_family", "Other family member"


class Relationship(models.Model):
    """How two people are personally connected (Domestic Abuse Act 2021, s2)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_from")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)


class AbuseType(models.TextChoices):
    """The kinds of abusive behaviour in the Domestic Abuse Act 2021, s1(3)."""

    PHYSICAL_SEXUAL = "physical_sexual", "Physical or sexual abuse"
    VIOLENT_THREATENING = "violent_threatening", "Violent or threatening behaviour"
    COERCIVE_CONTROLLING = "coercive_controlling", "Controlling or coercive behaviour"
    ECONOMIC = "economic", "Economic abuse"
    PSYCHOLOGICAL = "psychological", "Psychological, emotional or other abuse"


class Incident(models.Model):
    """Something that happened, recorded by one agency, with the people involved."""

    occurred_on = models.DateField()
    place = EncryptedTextField(blank=True)
    abuse_types = models.JSONField(default=list)
    children_present = models.BooleanField(default=False)
    police_reference = models.CharField(max_length=40, blank=True)
    summary = EncryptedTextField(blank=True)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on"]
        indexes = [models.Index(fields=["occurred_on"], name="incident_date")]

    @property
    def abuse_type_labels(self) -> list[str]:
        labels = dict(AbuseType.choices)
        return [labels.get(value, value) for value in self.abuse_types]


class InvolvementRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    ALLEGED_PERPETRATOR = "alleged_perpetrator", "Alleged perpetrator"
    CHILD_PRESENT = "child_present", "Child present"
    WITNESS = "witness", "Witness"


class Involvement(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="involvements")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    role = models.CharField(max_length=30, choices=InvolvementRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "person", "role"], name="involvement_once")]


class LinkRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the holding agency"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"


class IdentityLinkRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests the acting agency may answer: those naming a record it holds and the user may open."""
        from hearth.platform.access import acting

        membership = acting(user)
        if membership is None:
            return self.none()
        return self.filter(target__owner_agency_id=membership.agency_id,
                           target__in=Person.objects.visible_to(user).values("pk"))


class IdentityLinkRequest(models.Model):
    """A request to link a new record to a record its agency cannot open (ACCESS.md: identity
    links cross agencies only with the holder's consent).

    Until the agency holding ``target`` confirms, the two records stay separate identities,
    so nothing crosses: no "also recorded by", no duplicate-referral check, no shared risk level.
    """

    new_record = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="link_requests")
    requesting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=LinkRequestStatus.choices, default=LinkRequestStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why the holding agency declined (kept by them, not sent).")
    merge = models.ForeignKey(IdentityMerge, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = IdentityLinkRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["new_record", "target"],
                                               condition=models.Q(status="pending"),
                                               name="link_request_pending_once")]

    def __str__(self) -> str:
        return f"Link request {self.pk}"
