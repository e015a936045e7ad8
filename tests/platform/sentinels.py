"""The sentinel sweep (issue 11): every sensitive field of every demo record holds a unique
marker, and any marker found in a response must belong to a part the policy lets that reader see.

It replaces hand-picked planted values: a new page, form, print view or partial joins the sweep
by being a route, and a new part-bearing field joins it by being listed in ``FIELDS`` below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hearth.people.models import Incident, Person
from hearth.platform.roles import Part
from hearth.risk.models import Assessment, ChildProfile, SafetyPlanVersion
from hearth.risk.selectors import risk_parts

MARK = re.compile(r"SNTL(\d{6})Q")


@dataclass(frozen=True)
class Planted:
    label: str  # model.field:pk, for the failure message
    part: str
    person_ids: tuple[int, ...]  # the records whose part it is (any of them may open it)


# Model -> (field, part, how to find the person(s) it is about). Identity stays readable: pages
# and lookups need names.
PERSON_FIELDS = {name: part for name, part in Person.FIELD_PARTS.items()
                 if part in (Part.CONTACT, Part.SAFE_ADDRESS, Part.EQUALITY)}


class Sentinels:
    def __init__(self):
        self.planted: dict[int, Planted] = {}

    def _mark(self, label: str, part: str, person_ids) -> str:
        number = len(self.planted) + 1
        self.planted[number] = Planted(label, part, tuple(person_ids))
        return f"SNTL{number:06d}Q"

    def plant(self) -> Sentinels:
        """Give every sensitive field of every record a unique marker (inside the test's transaction)."""
        people = list(Person.objects.all())
        for person in people:
            for name, part in PERSON_FIELDS.items():
                setattr(person, name, self._mark(f"person.{name}:{person.pk}", part, [person.pk]))
        Person.objects.bulk_update(people, list(PERSON_FIELDS), batch_size=500)

        assessments = list(Assessment.objects.all())
        for a in assessments:
            for name in ("fears_most", "answer_sources", "judgement_reason"):
                setattr(a, name, self._mark(f"assessment.{name}:{a.pk}", Part.RISK_ANSWERS, [a.person_id]))
        Assessment.objects.bulk_update(assessments, ["fears_most", "answer_sources", "judgement_reason"])

        versions = list(SafetyPlanVersion.objects.select_related("plan"))
        for v in versions:
            v.sections = {key: self._mark(f"safety_plan.{key}:{v.pk}", Part.SAFETY_PLAN, [v.plan.person_id])
                          for key in (v.sections or {})}
        SafetyPlanVersion.objects.bulk_update(versions, ["sections"])

        profiles = list(ChildProfile.objects.all())
        for p in profiles:
            p.needs = self._mark(f"child_profile.needs:{p.pk}", Part.CHILDREN, [p.child_id])
        ChildProfile.objects.bulk_update(profiles, ["needs"])

        incidents = list(Incident.objects.prefetch_related("involvements"))
        for i in incidents:
            involved = [inv.person_id for inv in i.involvements.all()]
            i.summary = self._mark(f"incident.summary:{i.pk}", Part.INCIDENTS, involved)
            i.place = self._mark(f"incident.place:{i.pk}", Part.INCIDENTS, involved)
        Incident.objects.bulk_update(incidents, ["summary", "place"])
        return self

    def leaks(self, text: str, reader) -> list[str]:
        """Markers in ``text`` of parts the policy does not let ``reader`` see (now)."""
        found = {int(n) for n in MARK.findall(text)}
        leaks = []
        parts_of: dict[int, frozenset[str]] = {}
        for number in sorted(found):
            planted = self.planted.get(number)
            if planted is None:
                continue
            allowed = False
            for person_id in planted.person_ids:
                if person_id not in parts_of:
                    parts_of[person_id] = risk_parts(reader, Person.objects.get(pk=person_id))
                if planted.part in parts_of[person_id]:
                    allowed = True
                    break
            if not allowed:
                leaks.append(f"{planted.label} ({planted.part})")
        return leaks

    def any_in(self, text: str) -> list[str]:
        return [self.planted[int(n)].label for n in MARK.findall(text) if int(n) in self.planted]
