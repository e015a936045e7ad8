"""How the API knows who is calling: an agency token in the Authorization header, nothing else.

No session or cookie authentication: a browser signed in to Hearth gets nothing from the
API, so the API needs no CSRF protection and a stolen cookie opens no API door.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions, permissions, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from hearth.platform import audit

from . import services


class AgencyTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer hearth_<prefix>_<secret>``."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            count_refusal(request)
            raise exceptions.AuthenticationFailed("Give the token after 'Bearer ', with no spaces in it.")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            count_refusal(request)
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = services.token_authenticate(raw)
        if token is None:
            count_refusal(request)
            audit.deny(object_type="api.apitoken", object_id=raw.split("_")[1][:16] if raw.count("_") >= 2 else "",
                       reason="unknown or revoked API token")
            raise exceptions.AuthenticationFailed("The token is not valid or has been revoked.")
        return token.membership.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="hearth-api"'


class HasScope(permissions.BasePermission):
    """The token must carry the scope the view names for the request's method."""

    message = "This token does not allow that. Ask your agency admin for a token with the right scope."

    def has_permission(self, request, view):
        token = request.auth
        if token is None:
            count_refusal(request)
            return False
        needed = view.required_scopes.get(request.method if request.method != "HEAD" else "GET")
        if needed is None or needed not in token.scopes:
            audit.deny(object_type="url", object_id=request.path[:64], reason=f"token lacks {needed}")
            return False
        return True


class AddressThrottle(throttling.SimpleRateThrottle):
    """Calls without a valid token, per address: a few a minute, then 429 with Retry-After.

    Counted where authentication fails (not as a view throttle, which DRF checks only after
    the permission check has already answered 401), so guessing tokens stays slow.
    """

    scope = "anonymous"

    def get_rate(self):
        return getattr(settings, "HEARTH_API_ANON_RATE", "30/min")

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def count_refusal(request) -> None:
    """Count one unauthenticated call from this address; past the rate, refuse with 429."""
    throttle = AddressThrottle()
    if not throttle.allow_request(request, None):
        raise exceptions.Throttled(throttle.wait())


class TokenThrottle(throttling.SimpleRateThrottle):
    """Calls with a token: generous, per token, so one busy system cannot starve the rest."""

    scope = "token"

    def get_rate(self):
        return getattr(settings, "HEARTH_API_TOKEN_RATE", "600/min")

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
