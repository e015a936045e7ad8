"""Request plumbing for the access policy and the audit."""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
from django.http import HttpResponseForbidden, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.loader import render_to_string

from . import access, audit, context
from .models import AuditAction, Membership
from .policy import policy_of

SESSION_MEMBERSHIP = "hearth_membership_id"
SESSION_LAST_SEEN = "hearth_last_seen"


def client_ip(request) -> str | None:
    value = request.META.get("REMOTE_ADDR")
    if getattr(settings, "HEARTH_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            value = forwarded.split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


class RequestContextMiddleware:
    """Gives each request an id and IP for the audit, and stops caching of any page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = context.RequestContext(ip=client_ip(request))
        request.request_id = ctx.request_id
        token = context.begin(ctx)
        try:
            response = self.get_response(request)
        finally:
            context.end(token)
        response["X-Request-ID"] = ctx.request_id
        if not request.path.startswith(settings.STATIC_URL):
            # Case data must not linger in browser or proxy caches.
            response["Cache-Control"] = "no-store"
        return response


class RefuseNulBytesMiddleware:
    """Answers 400 to a query string holding a NUL byte, before any view, query or audit row.

    No page of Hearth takes one; PostgreSQL refuses them in text, so one reaching a search
    or a filter was a server error (``/people/?q=%00``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            raise BadRequest("A NUL byte in the query string.")
        return self.get_response(request)


def _refuse(request):
    return HttpResponseForbidden(render_to_string("403.html", request=request))


class StaffSessionMiddleware:
    """Enforces each view's declared policy before it runs.

    Checks, in order: a declared policy exists (fail closed), the session has not idled
    out, the second factor was given, an agency is being acted for, and the role holds
    the declared permission. Sets ``request.user.membership`` for the policy and audit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        policy = policy_of(view_func)
        if policy is None:
            audit.deny(object_type="url", object_id=request.path[:64], reason="view declares no access policy")
            return _refuse(request)
        # Function views do not dispatch on method, so the policy's list is the only gate:
        # HEAD only where GET is allowed, never OPTIONS (it would run the view).
        allowed = (*policy.methods, "HEAD") if "GET" in policy.methods else policy.methods
        if request.method not in allowed:
            return HttpResponseNotAllowed(policy.methods)
        if policy.kind == "api_token":
            # The partner API authenticates by token only: staff session rules do not apply.
            return None
        user = request.user
        ctx = context.current()
        if not user.is_authenticated:
            return None  # public, or LoginRequiredMiddleware already redirected
        ctx.user = user

        now = int(time.time())
        last_seen = request.session.get(SESSION_LAST_SEEN)
        timeout = settings.HEARTH_IDLE_TIMEOUT_MINUTES * 60
        if last_seen is not None and now - last_seen > timeout:
            membership = self._membership(request)
            audit.record(AuditAction.TIMED_OUT, obj=user, user=user, membership=membership)
            logout(request)
            return redirect("platform:timed_out")
        request.session[SESSION_LAST_SEEN] = now

        if policy.kind == "public":
            return None
        if policy.kind == "sign_in_step":
            return None
        if not user.is_verified():
            return redirect("platform:second_factor")

        membership = self._membership(request)
        if membership is None:
            if view_func.__name__ == "choose_agency":
                return None
            return redirect("platform:choose_agency")
        user.membership = membership
        ctx.membership = membership

        if policy.kind in ("permission", "record") and not access.may(user, policy.permission):
            audit.deny(object_type="url", object_id=request.path[:64], reason=f"lacks {policy.permission}")
            return _refuse(request)
        return None

    @staticmethod
    def _membership(request):
        membership_id = request.session.get(SESSION_MEMBERSHIP)
        if membership_id is None:
            return None
        membership = (
            Membership.objects.active().select_related("agency", "team")
            .filter(pk=membership_id, user=request.user).first()
        )
        if membership is None:
            request.session.pop(SESSION_MEMBERSHIP, None)
        return membership
