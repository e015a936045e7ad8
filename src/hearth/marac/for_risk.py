"""MARAC as the risk app sees it (``hearth.risk.ports.Marac``), plugged in at app-ready."""

from __future__ import annotations

from hearth.platform import access

from . import permissions
from .criteria import evaluate, prompt  # noqa: F401 - part of the port
from .models import MaracCase, MaracReferral


def related_records(person) -> list:
    return [
        *MaracReferral.objects.filter(person__identity_id=person.identity_id),
        *MaracCase.objects.filter(referral__person__identity_id=person.identity_id),
    ]


def referred(person) -> bool:
    return MaracReferral.objects.filter(person__identity_id=person.identity_id).exists()


def may_refer(user) -> bool:
    return access.may(user, permissions.REFER)
