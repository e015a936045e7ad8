"""``visible_to`` answers for one record with index probes, not by reading every grant of the agency.

The semantics are proved by the access matrix and the apps' tests; these tests hold the shape of
the query that makes a person check cost the same at a county's scale as in the demo (issue 14).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from hearth.people.models import Person
from hearth.platform.models import AccessGrant
from hearth.platform.roles import RelationshipKind


def _mother(police) -> Person:
    return Person.objects.filter(given_name="Elizabeth", family_name="Walker").get()


def test_it_checks_a_record_with_correlated_subqueries(police):
    mother = _mother(police)
    sql = str(Person.objects.filter(pk=mother.pk).visible_to(police).query).upper()

    # IN (SELECT …) over the agency's grants makes the database build them all before it can
    # answer for one person; EXISTS correlated on the record's id looks up that record only.
    assert "IN (SELECT" not in sql
    # Grants, break-glass, named on a restriction, hidden by a restriction: each asked for this record.
    assert sql.count('"OBJECT_ID" = ("PEOPLE_PERSON"."ID")') == 4


def test_it_still_answers_for_the_record_and_not_others(police):
    mother = _mother(police)
    visible = Person.objects.filter(pk=mother.pk).visible_to(police)
    assert list(visible) == [mother]
    assert not Person.objects.filter(pk=mother.pk + 10_000_000).visible_to(police).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_one_person_check_probes_the_grant_index_instead_of_hashing_every_grant(police):
    mother = _mother(police)
    person_type = ContentType.objects.get_for_model(Person)
    # Enough live relationships of the police hub (to records that need not exist) that
    # reading them all is clearly dearer than one index probe.
    AccessGrant.objects.bulk_create(
        AccessGrant(agency_id=police.membership.agency_id, content_type=person_type, object_id=50_000_000 + n,
                    kind=RelationshipKind.OWNER)
        for n in range(20_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE platform_accessgrant")  # nosemgrep: hearth-no-raw-sql

    plan = Person.objects.filter(pk=mother.pk).visible_to(police).explain(analyze=True)

    # Either grant index (grant_lookup, grant_by_record) answers; what matters is that the scan of
    # the grants reads this person's rows, not the agency's 20,000 (as a hashed IN did).
    read = [int(n) for line in plan.splitlines() if "on platform_accessgrant" in line
            for n in re.findall(r"actual time=\S+ rows=(\d+)", line)]
    assert read and max(read) < 100, plan
