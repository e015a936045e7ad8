"""The role × URL matrix, derived from each view's declared policy.

Used by ``manage.py access_matrix`` and by the access-matrix test, so the printed matrix
and the tested one can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from . import access
from .policy import Policy, policy_of
from .roles import Role

ALLOWED, DENIED, OBJECT, PUBLIC = "allowed", "denied", "object", "public"
# Partner-API views: a signed-in member's session opens nothing there; only a token does.
API_TOKEN = "api_token"  # noqa: S105 - a policy kind, not a secret


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "people:person_detail"
    pattern: str  # e.g. "people/<int:person_id>/"
    view: object
    policy: Policy | None

    @property
    def kwargs(self) -> list[str]:
        import re

        return re.findall(r"<(?:\w+:)?(\w+)>", self.pattern)


def routes(resolver=None, prefix: str = "", namespace: str = "") -> list[Route]:
    """Every URL pattern in the project, with its view and declared policy."""
    resolver = resolver or get_resolver()
    found: list[Route] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if entry.namespace and namespace:
                ns = f"{namespace}:{entry.namespace}"
            found += routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            found.append(Route(name or prefix + str(entry.pattern), prefix + str(entry.pattern),
                               entry.callback, policy_of(entry.callback)))
    return found


def outcome(policy: Policy, role: str) -> str:
    """What a signed-in member acting in ``role`` gets from a route with this policy."""
    if policy.kind == "public":
        return PUBLIC
    if policy.kind == "api_token":
        return API_TOKEN
    if policy.kind in ("signed_in", "sign_in_step"):
        return ALLOWED
    if not access.role_may(role, policy.permission):
        return DENIED
    return OBJECT if policy.kind == "record" else ALLOWED


def matrix() -> list[tuple[Route, dict[str, str]]]:
    return [
        (route, {role: outcome(route.policy, role) for role in Role.values})
        for route in routes()
        if route.policy is not None
    ]


def undeclared() -> list[Route]:
    return [route for route in routes() if route.policy is None]
