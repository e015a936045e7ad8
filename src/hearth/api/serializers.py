"""The shapes of the partner API: what a partner system sends, and the status it reads back.

The status never carries the person's details (names, contact, address) nor anything the
sender wrote about them: only where the referral is and what the receiver decided.
"""

from __future__ import annotations

from rest_framework import serializers

from hearth.directory.models import Service
from hearth.platform.models import Agency
from hearth.referrals.models import LawfulBasis, Reason, RiskLevel, Source, Status, Urgency
from hearth.referrals.services import SHAREABLE_PARTS

MAX_ID = 2**31 - 1


class PersonInSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=10)


class ReferralCreateSerializer(serializers.Serializer):
    to_agency = serializers.SlugRelatedField(
        slug_field="slug", queryset=Agency.objects.filter(is_onboarded=True), required=False,
        help_text="The receiving agency's slug, e.g. alice-charity. Give this or to_service.")
    to_service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), pk_field=serializers.UUIDField(), required=False,
        error_messages={"does_not_exist": "There is no service with this id in the directory.",
                        "incorrect_type": "Give the service's id from the directory (a UUID)."},
        help_text="Or a service in the directory, by its Open Referral UK id (a UUID): a service of an agency "
                  "on Hearth makes a referral to that agency with the service named; any other service is "
                  "refused (400) with its public contact route.")
    person_id = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,
        help_text="A person your agency already holds in Hearth (from an earlier referral's person_id).")
    person = PersonInSerializer(required=False, help_text="Or a new person: recorded as your agency's.")
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=Reason.choices), min_length=1,
                                    max_length=len(Reason.choices))
    needs = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, default=RiskLevel.NOT_KNOWN)
    shared_parts = serializers.ListField(child=serializers.ChoiceField(choices=list(SHAREABLE_PARTS)),
                                         min_length=1, max_length=len(SHAREABLE_PARTS),
                                         help_text="What the receiver may see; never more than your agency sees.")
    lawful_basis = serializers.ChoiceField(choices=LawfulBasis.choices)
    consent_taken_on = serializers.DateField(required=False, allow_null=True, default=None)
    consent_taken_by = serializers.CharField(required=False, allow_blank=True, max_length=200, default="",
                                             help_text="Who took consent (needed with lawful_basis consent).")
    basis_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="",
                                         help_text="Why sharing without consent is justified (otherwise).")
    safe_to_call = serializers.BooleanField(default=False)
    safe_times = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    voicemail_ok = serializers.BooleanField(default=False)
    text_ok = serializers.BooleanField(default=False)
    email_ok = serializers.BooleanField(default=False)
    survivor_will_call = serializers.BooleanField(default=False)
    share_safe_address = serializers.BooleanField(default=False)
    allow_duplicate = serializers.BooleanField(
        default=False, help_text="Send even though an open referral of this person to this agency exists.")

    def validate(self, attrs):
        if ("person_id" in attrs) == ("person" in attrs):
            raise serializers.ValidationError({"person": "Give exactly one of person_id and person."})
        if ("to_agency" in attrs) == ("to_service" in attrs):
            raise serializers.ValidationError({"to_agency": "Give exactly one of to_agency and to_service."})
        return attrs


class AgencySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ServiceRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    at = serializers.DateTimeField()
    agency = serializers.CharField(source="agency.name", allow_null=True, default=None)


class ReferralStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    source = serializers.ChoiceField(choices=Source.choices)
    to_agency = AgencySerializer()
    to_service = ServiceRefSerializer(allow_null=True, help_text="The directory service named, if one was.")
    person_id = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=Reason.choices))
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    respond_by = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()
    decided_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    assigned_worker = serializers.SerializerMethodField()
    decline_reason = serializers.CharField()
    suggested_alternative = AgencySerializer(allow_null=True)
    outcome = serializers.CharField()
    redirected_from = serializers.IntegerField(source="redirected_from_id", allow_null=True)
    redirected_to = serializers.SerializerMethodField()
    history = HistoryEntrySerializer(source="events.all", many=True)

    def get_assigned_worker(self, referral) -> str | None:
        worker = referral.assigned_to
        return (worker.get_full_name() or worker.get_username()) if worker else None

    def get_redirected_to(self, referral) -> int | None:
        onward = referral.redirections.order_by("pk").first()
        return onward.pk if onward else None


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class DuplicateSerializer(serializers.Serializer):
    detail = serializers.CharField()
    to_agency = serializers.CharField()
