"""Self-referrals from the public help site: no sending agency and no sending user."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.people.models import Person
from hearth.platform import audit, grants
from hearth.platform.models import Agency, AuditAction
from hearth.platform.roles import AgencyKind, Part, RelationshipKind

from .. import timeliness
from ..models import LawfulBasis, Reason, Referral, ReferralEvent, Source, Status
from ._common import _tell_inbox

SELF_REFERRAL_REASON_BY_KIND = {AgencyKind.PERPETRATOR_SERVICE: Reason.BEHAVIOUR_CHANGE}


def public_site_user():
    """The account that stands for the public help site on records it creates (it cannot sign in)."""
    from hearth.platform.models import User

    user, created = User.objects.get_or_create(
        username="public-help-site",
        defaults={"first_name": "Public help site", "email": "public-help-site@hearth.invalid", "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def self_referral_receive(
    *, to_agency: Agency, given_name: str, family_name: str, date_of_birth: date | None = None, phone: str = "",
    email: str = "", postcode: str = "", safe_times: str = "", safe_to_call: bool = False,
    voicemail_ok: bool = False, text_ok: bool = False, email_ok: bool = False, survivor_will_call: bool = False,
    needs: str = "", language: str = "",
) -> Referral:
    """A member of the public refers themselves (the help site has checked and consented them).

    The referral lands in ``to_agency``'s inbox as sent, with no sending agency or user. The
    person is matched first: a confident match to the agency's own record reuses that record
    (its details are never overwritten by what a visitor typed: they travel on the referral);
    otherwise a new record of the agency's own, with an identity of its own. A match to another
    agency's record is never joined here: anyone can type a survivor's details into the public
    form, and a join would let the receiver see what the other record knows. The referral is
    marked as a possible match, for the receiver's staff to check and, if it is her, to ask the
    holding agency to link (a link request). Audited as a public action.
    """
    from hearth.people import matching
    from hearth.people.models import Identity

    if not to_agency.is_onboarded:
        raise ValidationError({"to_agency": "This service does not take referrals through Hearth."})
    if not given_name.strip() or not family_name.strip():
        raise ValidationError({"given_name": "A name is needed."})
    if not (phone.strip() or email.strip() or survivor_will_call):
        raise ValidationError({"phone": "A way to make contact is needed, or the person will call."})
    record = matching.record_from_form({"given_name": given_name, "family_name": family_name,
                                        "date_of_birth": date_of_birth, "postcode": postcode, "phone": phone,
                                        "email": email})
    candidates = matching.candidates_for(record, limit=5)
    confident = [c for c in candidates if c.band == "link"]
    own = next((c.person for c in confident if c.person.owner_agency_id == to_agency.pk), None)
    contact_note = ""
    if own is not None:
        person, matched = own, "own_record"
        given = [f"phone {phone.strip()}" if phone.strip() else "", f"email {email.strip()}" if email.strip() else ""]
        given = [g for g in given if g]
        if given:
            contact_note = "Contact details given with this self-referral: " + ", ".join(given) + "."
    else:
        identity = Identity.objects.create()
        matched = "possible_match" if candidates else "new"
        person = Person(identity=identity, owner_agency=to_agency, created_by=public_site_user(),
                        given_name=given_name.strip(), family_name=family_name.strip(),
                        date_of_birth=date_of_birth, phone=phone.strip(), email=email.strip(),
                        postcode=postcode.strip(), language=language[:60],
                        safe_contact=safe_times.strip())
        person.full_clean()
        person.save()
        grants.relationship_grant(agency=to_agency, obj=person, kind=RelationshipKind.OWNER,
                                  source="self-referral")
        matching.blocking_keys_store(person)
        audit.record(AuditAction.CREATE, obj=person, detail={"source": Source.SELF_REFERRAL, "matched": matched})
    reason = SELF_REFERRAL_REASON_BY_KIND.get(to_agency.kind, Reason.SPECIALIST_SUPPORT)
    text = "\n\n".join(t for t in [needs.strip(), contact_note] if t)
    now = timezone.now()
    referral = Referral.objects.create(
        source=Source.SELF_REFERRAL, from_agency=None, from_user=None, to_agency=to_agency, person=person,
        reasons=[reason], needs=text, shared_parts=sorted([Part.IDENTITY, Part.CONTACT, Part.NEEDS]),
        lawful_basis=LawfulBasis.CONSENT, consent_taken_on=timezone.localdate(),
        consent_taken_by_name="Given online by the person", safe_to_call=safe_to_call and not survivor_will_call,
        safe_times=safe_times.strip(), voicemail_ok=voicemail_ok and not survivor_will_call,
        text_ok=text_ok and not survivor_will_call, email_ok=email_ok and not survivor_will_call,
        survivor_will_call=survivor_will_call, status=Status.SENT, sent_at=now,
        respond_by=timeliness.respond_by(agency_id=to_agency.pk, urgency="routine", sent_at=now),
    )
    # No access grant: the receiving agency owns the person's record either way (new or its own).
    ReferralEvent.objects.create(referral=referral, status=Status.SENT,
                                 note="Self-referral from the public help site"
                                 + (". A possible match to an existing record: check before linking."
                                    if matched == "possible_match" else "."))
    audit.record(AuditAction.CREATE, obj=referral, detail={"source": Source.SELF_REFERRAL, "matched": matched,
                                                           "status": Status.SENT})
    _tell_inbox(referral)
    return referral
