"""Second-factor enrolment and verification (django-otp), audited."""

from __future__ import annotations

import secrets

from django.db import transaction
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.platform import audit
from hearth.platform.models import AuditAction

RECOVERY_CODE_COUNT = 10


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_pending(user, device_id: int | None = None) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (made once per enrolment)."""
    device = None
    if device_id is not None:
        device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_enrol_confirm(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm an authenticator with a code it shows; return new recovery codes or None."""
    if not device.verify_token(code):
        audit.record(AuditAction.SECOND_FACTOR_FAILED, obj=user, user=user, outcome="deny",
                     detail={"step": "enrol"})
        return None
    device.confirmed = True
    device.save()
    codes = recovery_codes_replace(user=user)
    audit.record(AuditAction.SECOND_FACTOR_ENROLLED, obj=user, user=user)
    return codes


@transaction.atomic
def recovery_codes_replace(*, user) -> list[str]:
    """Issue a fresh set of single-use recovery codes, cancelling the old ones."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes",
                                                   defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def second_factor_check(*, user, code: str):
    """The device that accepts this code (TOTP codes cannot be reused), or None. Audited."""
    device = match_token(user, code)
    if device is None:
        audit.record(AuditAction.SECOND_FACTOR_FAILED, obj=user, user=user, outcome="deny",
                     detail={"step": "verify"})
    return device
