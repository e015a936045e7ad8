"""Response deadlines: the targets an agency promises, and the reminders and escalations when they pass."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.notify.services import notice_send
from hearth.platform import access, audit
from hearth.platform import permissions as platform_perms
from hearth.platform.models import AuditAction

from ..models import Referral, ResponseTarget, Status, Urgency
from ._common import _inbox_watchers, _require

# An accepted referral nobody has started after this long gets one reminder to its worker.
START_REMINDER_AFTER = timedelta(days=2)


def referrals_remind_unstarted(*, now=None) -> int:
    """Remind assigned workers, once each, of referrals accepted but not started for two days."""
    now = now or timezone.now()
    waiting = Referral.objects.filter(status=Status.ACCEPTED, decided_at__lt=now - START_REMINDER_AFTER,
                                      reminded_at__isnull=True, assigned_to__isnull=False).select_related(
        "assigned_to")
    count = 0
    for referral in waiting:
        with transaction.atomic():
            notice_send(recipient=referral.assigned_to, subject=f"Referral {referral.pk} is waiting for you",
                        body=f"You accepted referral {referral.pk} on "
                             f"{timezone.localtime(referral.decided_at):%d %b %Y} and work has not started. "
                             "Start work, or pass it to a colleague.", email=True)
            Referral.objects.filter(pk=referral.pk).update(reminded_at=now)
            audit.record(AuditAction.UPDATE, obj=referral, detail={"reminded": True})
            count += 1
    return count


def referrals_escalate_overdue(*, now=None) -> int:
    """Tell team leads (or all members) of receiving agencies about referrals past their target. Once each."""
    now = now or timezone.now()
    overdue = Referral.objects.filter(status__in=(Status.SENT, Status.RECEIVED), respond_by__lt=now,
                                      escalated_at__isnull=True).select_related("to_agency")
    count = 0
    for referral in overdue:
        with transaction.atomic():
            leads = [t.lead for t in referral.to_agency.teams.exclude(lead__isnull=True)]
            for lead in leads or list(_inbox_watchers(referral.to_agency_id)):
                notice_send(recipient=lead, subject=f"Referral {referral.pk} is overdue",
                            body=f"Referral {referral.pk} from {referral.sender_label} was due a response by "
                                 f"{timezone.localtime(referral.respond_by):%d %b %Y %H:%M}.", email=True)
            Referral.objects.filter(pk=referral.pk).update(escalated_at=now)
            audit.record(AuditAction.UPDATE, obj=referral, detail={"escalated": True})
            count += 1
    return count



@transaction.atomic
def response_targets_set(*, actor, routine_hours: int, urgent_hours: int) -> None:
    """An agency admin sets how fast their agency promises to answer referrals."""
    _require(actor, platform_perms.MANAGE_MEMBERS)
    errors = {}
    if not 1 <= routine_hours <= 80:
        errors["routine_hours"] = "Enter between 1 and 80 working hours."
    if not 1 <= urgent_hours <= 48:
        errors["urgent_hours"] = "Enter between 1 and 48 hours."
    if errors:
        raise ValidationError(errors)
    agency = access.acting(actor).agency
    for urgency, hours in ((Urgency.ROUTINE, routine_hours), (Urgency.URGENT, urgent_hours)):
        ResponseTarget.objects.update_or_create(agency=agency, urgency=urgency, defaults={"hours": hours})
    audit.record(AuditAction.UPDATE, obj=agency, detail={"response_targets": [routine_hours, urgent_hours]})
