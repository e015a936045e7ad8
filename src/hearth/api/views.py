"""The partner API (token, JSON) and the agency admin's pages for its tokens (session, HTML)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import status as http
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from hearth.api import permissions as api_perms
from hearth.platform import audit
from hearth.platform.actions import form_action, posted
from hearth.platform.policy import api_token, public, requires
from hearth.referrals.models import Status

from . import selectors, services
from .authentication import AgencyTokenAuthentication, HasScope, TokenThrottle
from .forms import TokenForm
from .models import Scope
from .schema import SPECTACULAR_SETTINGS
from .serializers import (
    MAX_ID,
    DetailSerializer,
    DuplicateSerializer,
    ReferralCreateSerializer,
    ReferralStatusSerializer,
)

REFUSALS = {
    401: OpenApiResponse(DetailSerializer, description="No token, or not a valid one."),
    403: OpenApiResponse(DetailSerializer, description="The token lacks the scope."),
    429: OpenApiResponse(DetailSerializer, description="Too many calls: wait as Retry-After says."),
}


class PartnerView(APIView):
    """Token authentication only, JSON only, throttled per token."""

    authentication_classes = [AgencyTokenAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [TokenThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    required_scopes: dict[str, str] = {}

    def permission_denied(self, request, message=None, code=None):
        # Without a token the answer is 401 with a challenge; with one lacking the scope, 403.
        if request.auth is None:
            audit.deny(object_type="url", object_id=request.path[:64], reason="API call without a token")
        super().permission_denied(request, message, code)


class ReferralPage(LimitOffsetPagination):
    default_limit = 25
    max_limit = 100


class ReferralListView(PartnerView):
    """Referrals your agency sent, and sending a new one (same rules as in Hearth's pages)."""

    required_scopes = {"GET": Scope.REFERRALS_READ, "POST": Scope.REFERRALS_CREATE}
    pagination_class = ReferralPage

    @extend_schema(
        operation_id="referrals_list", summary="Your agency's referrals, newest first",
        parameters=[OpenApiParameter("status", str, enum=Status.values, required=False,
                                     description="Only referrals in this status.")],
        responses={200: ReferralStatusSerializer(many=True), **REFUSALS})
    def get(self, request):
        referrals = selectors.partner_referrals(actor=request.user, token=request.auth,
                                                status=request.query_params.get("status", ""))
        pager = self.pagination_class()
        page = pager.paginate_queryset(referrals, request, view=self)
        return pager.get_paginated_response(ReferralStatusSerializer(page, many=True).data)

    @extend_schema(
        operation_id="referrals_create", summary="Send a referral",
        request=ReferralCreateSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                                     description="Your own id for this referral (at most 100 characters): "
                                                 "sending it again returns the first referral, not a second.")],
        responses={
            201: ReferralStatusSerializer,
            200: OpenApiResponse(ReferralStatusSerializer, description="A replay of an earlier Idempotency-Key."),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="What is wrong, field by field."),
            409: OpenApiResponse(DuplicateSerializer, description="An open referral of this person to this agency "
                                                                  "exists."),
            422: OpenApiResponse(DuplicateSerializer, description="The Idempotency-Key was used before with "
                                                                  "a different request body."),
            **REFUSALS})
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 100 or not key.isprintable():
            return Response({"Idempotency-Key": ["Use at most 100 printable characters."]}, status=400)
        incoming = ReferralCreateSerializer(data=request.data)
        if not incoming.is_valid():
            return Response(incoming.errors, status=400)
        data = dict(incoming.validated_data)
        fields = {name: data.pop(name) for name in list(data) if name not in (
            "to_agency", "to_service", "person_id", "person", "allow_duplicate", "consent_taken_by")}
        try:
            referral, created = services.partner_referral_create(
                actor=request.user, token=request.auth, to_agency=data.get("to_agency"),
                to_service=data.get("to_service"),
                person_id=data.get("person_id"), person=data.get("person"), idempotency_key=key,
                allow_duplicate=data["allow_duplicate"], consent_taken_by_name=data["consent_taken_by"],
                request_fingerprint=services.request_fingerprint(request.data) if key else "", **fields)
        except ValidationError as error:
            return Response(_errors(error), status=400)
        except services.Duplicate as duplicate:
            return Response({"detail": "There is already an open referral of this person to this agency. "
                                       "Send again with allow_duplicate true if a second one is needed.",
                             "to_agency": duplicate.referral.to_agency.slug}, status=409)
        except services.IdempotencyConflict:
            # 422: the key is known, the body is not the one it was first sent with.
            return Response({"detail": "This Idempotency-Key was used for a different request. Send a new "
                                       "referral with a new key.",
                             "to_agency": _requested_agency_slug(data)}, status=422)
        except PermissionDenied as denied:
            raise ApiPermissionDenied() from denied
        body = ReferralStatusSerializer(selectors.partner_referral_get(actor=request.user, token=request.auth,
                                                                      referral_id=referral.pk)).data
        return Response(body, status=http.HTTP_201_CREATED if created else http.HTTP_200_OK,
                        headers={} if created else {"Idempotent-Replayed": "true"})


class ReferralDetailView(PartnerView):
    """Where one referral your agency sent is: status, decision, outcome and history."""

    required_scopes = {"GET": Scope.REFERRALS_READ}

    @extend_schema(operation_id="referrals_retrieve", summary="One of your agency's referrals",
                   responses={200: ReferralStatusSerializer,
                              404: OpenApiResponse(DetailSerializer, description="Not one of your agency's."),
                              **REFUSALS})
    def get(self, request, api_referral_id: int):
        if api_referral_id > MAX_ID:
            raise Http404
        referral = selectors.partner_referral_get(actor=request.user, token=request.auth,
                                                  referral_id=api_referral_id)
        return Response(ReferralStatusSerializer(referral).data)


def _requested_agency_slug(data: dict) -> str:
    """The agency the request named, directly or through its directory service ("" if none)."""
    if data.get("to_agency") is not None:
        return data["to_agency"].slug
    agency = getattr(data.get("to_service"), "agency", None)
    return agency.slug if agency is not None else ""


def _errors(error: ValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {field: list(messages_) for field, messages_ in error.message_dict.items()}
    return {"non_field_errors": list(error.messages)}


referral_list = api_token("referrals:read,referrals:create", methods=("GET", "POST"))(ReferralListView.as_view())
referral_detail = api_token("referrals:read")(ReferralDetailView.as_view())
schema = public(SpectacularAPIView.as_view(custom_settings=SPECTACULAR_SETTINGS, authentication_classes=[],
                                           permission_classes=[]))


# --- The agency admin's pages for tokens ------------------------------------------------

@requires(api_perms.MANAGE_TOKENS, methods=("GET", "POST"))
def token_list(request):
    return form_action(request, TokenForm(posted(request)),
                       lambda data: services.token_create(actor=request.user, name=data["name"], scopes=data["scopes"]),
                       # Shown once, on this response only: never in a URL, a message or the session.
                       redirect_to=lambda made: render(request, "api/token_made.html", {"made": made}),
                       template="api/token_list.html", context=lambda: {"tokens": selectors.tokens(actor=request.user)})


@requires(api_perms.MANAGE_TOKENS, methods=("POST",))
def token_revoke(request, api_token_id: int):
    token = selectors.token_get(actor=request.user, token_id=api_token_id)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"The token for {token.name} no longer works.")
    return redirect("api:token_list")
