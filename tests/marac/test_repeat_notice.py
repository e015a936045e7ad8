"""A repeat found after a MARAC referral is flagged and the coordinator told, once per incident."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from hearth.marac import services
from hearth.marac.models import MaracReferral, RepeatFlag
from hearth.notify.models import Notice
from hearth.people import services as people_services
from hearth.platform import context
from hearth.platform.models import AuditEvent, Membership

from ..conftest import person_create_linked

D0 = date(2025, 3, 1)


def _acting(demo, username, slug=None):
    user = demo.actor(username, slug)
    return user, user.membership


def _pair(police):
    victim = people_services.person_create(actor=police, given_name="Ioana", family_name="Stan", gender="woman")
    abuser = people_services.person_create(actor=police, given_name="Mihai", family_name="Stan", gender="man")
    return victim, abuser


def _incident(actor, victim, abuser, on):
    return people_services.incident_record(actor=actor, occurred_on=on, abuse_types=["violent_threatening"],
                                           involvements=[(victim, "victim"), (abuser, "alleged_perpetrator")])


def _referred(police) -> tuple:
    victim, abuser = _pair(police)
    referral = services.marac_referral_create(actor=police, person=victim, perpetrator=abuser, referred_on=D0,
                                              judgement_reason="Escalating control and threats.")
    return victim, abuser, referral


def _coordinator_notices():
    return Notice.objects.filter(recipient__username="marac.coordinator", subject="Possible repeat MARAC")


def test_a_repeat_sends_one_notice_to_the_coordinator_and_flags_the_case(police):
    victim, abuser, referral = _referred(police)
    incident = _incident(police, victim, abuser, D0 + timedelta(days=120))
    before = _coordinator_notices().count()

    flags = services.repeats_flag(on=D0 + timedelta(days=121))

    flag = RepeatFlag.objects.get(referral=referral)
    assert flag in flags and flag.incident == incident and flag.incident_on == D0 + timedelta(days=120)
    coordinators = Membership.objects.active().filter(agency__slug="stoke-marac", role="marac_coordinator")
    assert flag.coordinators_told == coordinators.count() >= 1
    assert _coordinator_notices().count() == before + 1
    notice = _coordinator_notices().latest("pk")
    assert f"MARAC referral {referral.pk}" in notice.body and "29 June 2025" in notice.body
    assert "Ioana" not in notice.body and "Stan" not in notice.body
    assert AuditEvent.objects.filter(object_type="marac.repeatflag", object_id=str(flag.pk), action="create").exists()


def test_running_the_check_again_does_not_tell_the_coordinator_twice(police):
    victim, abuser, referral = _referred(police)
    _incident(police, victim, abuser, D0 + timedelta(days=120))
    services.repeats_flag(on=D0 + timedelta(days=121))
    notices = _coordinator_notices().count()

    again = services.repeats_flag(on=D0 + timedelta(days=150))

    assert not [f for f in again if f.referral_id == referral.pk]
    assert RepeatFlag.objects.filter(referral=referral).count() == 1
    assert _coordinator_notices().count() == notices


def test_a_second_new_incident_is_a_second_notice(police):
    victim, abuser, referral = _referred(police)
    _incident(police, victim, abuser, D0 + timedelta(days=120))
    services.repeats_flag(on=D0 + timedelta(days=121))
    _incident(police, victim, abuser, D0 + timedelta(days=200))

    services.repeats_flag(on=D0 + timedelta(days=201))

    assert RepeatFlag.objects.filter(referral=referral).count() == 2


def test_an_incident_disclosed_to_another_agency_on_a_linked_record_is_a_repeat(demo, police):
    victim, abuser, referral = _referred(police)
    idva, membership = _acting(demo, "idva", "new-era-victims")
    with context.acting_as(idva, membership):
        own_victim = person_create_linked(actor=idva, link_to=victim, given_name="Ioana", family_name="Stan")
        own_abuser = person_create_linked(actor=idva, link_to=abuser, given_name="Mihai", family_name="Stan")
        _incident(idva, own_victim, own_abuser, D0 + timedelta(days=90))

    services.repeats_flag(on=D0 + timedelta(days=91))

    assert RepeatFlag.objects.filter(referral=referral).count() == 1


def test_no_flag_after_the_window_or_with_someone_else(police):
    victim, abuser, referral = _referred(police)
    stranger = people_services.person_create(actor=police, given_name="Lee", family_name="Barlow")
    _incident(police, victim, stranger, D0 + timedelta(days=60))
    _incident(police, victim, abuser, D0 + timedelta(days=400))

    services.repeats_flag(on=D0 + timedelta(days=401))

    assert not RepeatFlag.objects.filter(referral=referral).exists()


def test_the_flag_shows_on_the_case_and_the_coordinators_dashboard(client_for):
    # The demo's MARAC referral of Liz Walker and her incident four months later.
    liz_referral = MaracReferral.objects.filter(person__given_name="Elizabeth").order_by("-referred_on").first()
    flag = RepeatFlag.objects.get(referral=liz_referral)
    client = client_for("marac.coordinator")
    dashboard = client.get(reverse("marac:dashboard")).content.decode()
    assert "flagged, coordinator told" in dashboard
    case = liz_referral.listings.first()
    body = client.get(reverse("marac:case_detail", args=[case.pk])).content.decode()
    assert f"New incident on {flag.incident_on:%-d %B %Y}" in body


def test_the_cron_command_flags_repeats(police):
    victim, abuser, referral = _referred(police)
    _incident(police, victim, abuser, date.today() - timedelta(days=1))
    # Dated referral long ago: move it into this year's window for the command, which runs as of today.
    MaracReferral.objects.filter(pk=referral.pk).update(referred_on=date.today() - timedelta(days=30))

    call_command("marac_repeats", stdout=(out := StringIO()))

    assert "repeat(s) flagged." in out.getvalue() and RepeatFlag.objects.filter(referral=referral).count() == 1

