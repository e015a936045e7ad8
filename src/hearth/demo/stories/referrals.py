"""Demo referrals from a partner system: the Stoke North hub's records system has an API token
and has sent one referral through the partner API, so inboxes show "via partner system".

Story 1's own referrals (the Walker family to the Alice Charity, New Era, housing and children's
services) are made with the people in ``world._load_people``; New Era's is left waiting so it
can be declined by hand in the demo. Everything here goes through the api app's services.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hearth.api.models import ApiToken
from hearth.api.services import partner_referral_create, token_create
from hearth.platform import context

SYSTEM_NAME = "Niche records system (demo)"


def load(*, agencies, users) -> dict[str, int]:
    hub = agencies["stoke-north-hub"]
    if ApiToken.objects.filter(agency=hub, name=SYSTEM_NAME).exists():
        return {"partner_api_referrals": 0}
    # The raw token is thrown away: a demo user makes their own with `manage.py api_token create`
    # or on the agency admin's token page.
    made = token_create(actor=None, agency=hub, name=SYSTEM_NAME, scopes=["referrals:create", "referrals:read"])
    account, membership = made.token.membership.user, made.token.membership
    account.membership = membership
    with context.acting_as(account, membership):
        partner_referral_create(
            actor=account, token=made.token, to_agency=agencies["stoke-housing"], person_id=None,
            person={"given_name": "Ioana", "family_name": "Popa", "phone": "07700 900318", "postcode": "ST6 2HR"},
            idempotency_key="demo-niche-0001", reasons=["safe_accommodation"],
            needs="Needs somewhere safe tonight for herself; her partner has the keys to the flat.",
            urgency="urgent", risk_level="medium", shared_parts=["identity", "contact", "risk_level"],
            lawful_basis="consent", consent_taken_on=timezone.localdate() - timedelta(days=1),
            consent_taken_by_name="PC 2271 Bennett", text_ok=True, safe_times="after 6pm")
    return {"partner_api_referrals": 1}
