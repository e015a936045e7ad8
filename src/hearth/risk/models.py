"""Risk identification: versioned checklists, assessments, reported grades, IDVA allocation,
safety plans and children's school notifications.

A risk tool is data, not code: each ``RiskToolVersion`` holds its questions, answer options,
scoring and thresholds as JSON, so the partnership can import licensed wording or move to a
successor tool without a release. An assessment points at the version it was answered on,
so old assessments keep their questions and their meaning.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from hearth.people.models import Incident, Person
from hearth.platform.crypto import EncryptedJSONField, EncryptedTextField
from hearth.platform.models import Agency


class Level(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


LEVEL_ORDER = {Level.STANDARD: 0, Level.MEDIUM: 1, Level.HIGH: 2}


def higher_level(a: str | None, b: str | None) -> str | None:
    """The higher of two levels (judgement may raise a level, never lower it)."""
    if not a:
        return b
    if not b:
        return a
    return a if LEVEL_ORDER[a] >= LEVEL_ORDER[b] else b


class RiskTool(models.Model):
    """A named checklist (the SafeLives Dash, the police DASH, a successor such as DARA)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> RiskToolVersion | None:
        return self.versions.filter(is_current=True).first()


class Wording(models.TextChoices):
    HEARTH = "hearth", "Hearth's own wording"
    LICENSED = "licensed", "Official wording held under the partnership's licence"


class RiskToolVersion(models.Model):
    """One version of a tool: its whole definition, frozen once used."""

    tool = models.ForeignKey(RiskTool, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=120)
    wording = models.CharField(max_length=20, choices=Wording.choices, default=Wording.HEARTH)
    definition = models.JSONField(help_text="Questions, answer options, levels and guidance.")
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the definition, to load each once.")
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    source_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["tool", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "number"], name="risk_tool_version_once"),
            models.UniqueConstraint(fields=["tool"], condition=models.Q(is_current=True),
                                    name="risk_tool_one_current_version"),
        ]

    def __str__(self) -> str:
        return f"{self.tool.name}, version {self.number} ({self.label})"

    @property
    def questions(self) -> list[dict]:
        return self.definition["questions"]

    @property
    def answer_options(self) -> list[dict]:
        return self.definition["answer_options"]


class Mode(models.TextChoices):
    WITH_SURVIVOR = "with_survivor", "Completed with the survivor"
    PRACTITIONER = "practitioner", "On the practitioner's judgement alone (survivor not present)"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft – not complete, not scored"
    SUBMITTED = "submitted", "Submitted"


class Assessment(models.Model):
    """One completed (or draft) checklist about one person.

    Never overwritten once submitted: changing answers makes a new assessment that
    ``revises`` the earlier one, which stays as it was.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="risk_assessments")
    tool_version = models.ForeignKey(RiskToolVersion, on_delete=models.PROTECT, related_name="assessments")
    revises = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions")
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.WITH_SURVIVOR)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # question id -> "yes" / "no" / "not_known"
    answers = EncryptedJSONField(default=dict)
    answer_sources = EncryptedTextField(blank=True, help_text="Who gave answers, where not the survivor.")
    fears_most = EncryptedTextField(blank=True, help_text="The survivor's own words on what they fear most.")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    score_level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    judgement_level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    judgement_reason = EncryptedTextField(blank=True)
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["person", "status"], name="assessment_by_person")]

    def __str__(self) -> str:
        return f"Assessment {self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT

    @property
    def is_superseded(self) -> bool:
        return self.revisions.filter(status=AssessmentStatus.SUBMITTED).exists()

    @property
    def yes_count(self) -> int:
        return sum(1 for value in (self.answers or {}).values() if value == "yes")


class GradeKind(models.TextChoices):
    DASH_SCORE = "dash_score", "Dash score (without the answers)"
    DARA_GRADE = "dara_grade", "DARA grade"


class ReportedRisk(models.Model):
    """A risk grade that arrived without answers, e.g. on a police referral (a Dash score or a DARA grade)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reported_risks")
    kind = models.CharField(max_length=20, choices=GradeKind.choices)
    dash_score = models.PositiveSmallIntegerField(null=True, blank=True)
    dara_grade = models.CharField(max_length=20, choices=Level.choices, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices)
    reported_on = models.DateField()
    source_agency = models.CharField(max_length=200, help_text="Who graded it, e.g. the police force.")
    reference = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_on", "-pk"]

    def describe(self) -> str:
        if self.kind == GradeKind.DASH_SCORE:
            return f"Dash score {self.dash_score} reported by {self.source_agency} (answers not shared)"
        return f"DARA grade {self.get_dara_grade_display().lower()} reported by {self.source_agency}"


class Allocation(models.Model):
    """An IDVA or caseworker allocated to a high-risk survivor."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="risk_allocations")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_allocations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-allocated_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "worker"], condition=models.Q(ended_on__isnull=True),
                                    name="one_open_allocation_per_worker"),
        ]


class SafetyPlanSection(models.TextChoices):
    EMERGENCY = "emergency", "Emergency contacts and code words"
    SAFE_PLACES = "safe_places", "Safe places to go"
    ESCAPE_BAG = "escape_bag", "Bag ready to leave quickly"
    CHILDREN = "children", "The children's plan"
    TECHNOLOGY = "technology", "Phones, technology and online safety"
    WORK_SCHOOL = "work_school", "Work, school and journeys"
    LEGAL = "legal", "Legal protection and orders in place"
    SAFE_CONTACT = "safe_contact", "How to contact me safely"


class SafetyPlan(models.Model):
    """A survivor's plan. Its content lives in versions; nothing is overwritten."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="safety_plans")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "agency"], name="one_plan_per_agency")]

    def current(self) -> SafetyPlanVersion | None:
        return self.versions.order_by("-number").first()


class SafetyPlanVersion(models.Model):
    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # section key -> text, encrypted as one value
    sections = EncryptedJSONField(default=dict)
    review_on = models.DateField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="safety_plan_version_once")]

    def section_rows(self) -> list[tuple[str, str]]:
        return [(label, (self.sections or {}).get(key, "")) for key, label in SafetyPlanSection.choices]


class ChildProfile(models.Model):
    """A child's own needs and school, as recorded by one agency."""

    child = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="child_profile")
    school = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               limit_choices_to={"kind": "school"})
    needs = EncryptedTextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)


class SchoolNotification(models.Model):
    """An Operation Encompass style notice to a school's safeguarding lead after an incident
    the child was present at: that it happened, when, and who to contact. Nothing else."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="school_notifications")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="school_notifications")
    # The pupil's name as sent: the school sees this, never the child's record.
    pupil_name = EncryptedTextField()
    incident_on = models.DateField()
    contact_name = models.CharField(max_length=200)
    contact_agency = models.CharField(max_length=200)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["acknowledged_at", "-sent_at"]
        constraints = [models.UniqueConstraint(fields=["child", "incident", "school"], name="notify_school_once")]
