"""Two people closing the same MARAC action at once: one closes it, the other is told it is closed.

Runs on PostgreSQL only (``DATABASE_URL=postgres://...``): SQLite has no row locks to race.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.race import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks (SELECT ... FOR UPDATE); SQLite has none to race"),
]


def test_two_people_closing_the_same_action_write_one_closing_update():
    from django.contrib.contenttypes.models import ContentType

    from hearth.demo import world
    from hearth.marac import services
    from hearth.marac.models import ActionStatus, ActionUpdate, MaracAction
    from hearth.platform import audit
    from hearth.platform.models import AuditEvent, Membership

    ContentType.objects.clear_cache()
    world.load()  # transaction=True empties the database: load the demo again
    action = MaracAction.objects.get(owner_agency__slug="stoke-housing", status=ActionStatus.IN_PROGRESS)

    def prepare():
        membership = Membership.objects.select_related("user", "agency").get(
            user__username="housing.officer", agency__slug="stoke-housing")
        return membership, MaracAction.objects.get(pk=action.pk)

    def close(user, open_action):
        services.action_update(actor=user, action=open_action, status=ActionStatus.CLOSED, note="Locks changed.")

    outcomes = race((prepare, close), (prepare, close))

    assert outcomes == {"first": "won", "second": "This action is closed."}
    assert ActionUpdate.objects.filter(action=action, status=ActionStatus.CLOSED).count() == 1
    assert AuditEvent.objects.filter(object_type="marac.maracaction", object_id=str(action.pk),
                                     detail__status=ActionStatus.CLOSED).count() == 1
    assert audit.verify().ok
