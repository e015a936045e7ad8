"""How each view declares its access policy. The access matrix reads these declarations.

Every view in Hearth carries exactly one of:

- ``@public``            no sign-in (help pages, sign-in itself)
- ``@sign_in_step``      signed in with a password, second factor not yet given
- ``@signed_in``         any member of staff, second factor given, acting for an agency
- ``@requires(perm)``    a named role permission: an app's ``permissions`` constant
- ``@record(perm)``      a role permission plus the record's own visibility, decided by
                         ``access.get_visible_or_404`` in the view's selector
- ``api_token(scopes)``  the partner API: an agency token carrying the scope, never a
                         browser session; without one the answer is 401/403 (never a
                         redirect to sign in, never data)

``StaffSessionMiddleware`` enforces the first four before the view runs; a view without a
declaration is refused (fail closed) and ``manage.py access_matrix --check`` names it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required


@dataclass(frozen=True)
class Policy:
    kind: str  # public | sign_in_step | signed_in | permission | record | api_token
    permission: str = ""
    methods: tuple[str, ...] = ("GET",)

    def describe(self) -> str:
        return f"{self.kind}:{self.permission}" if self.permission else self.kind


def _declare(policy: Policy, view, *, open_to_anonymous: bool = False):
    view.access_policy = policy
    if open_to_anonymous:
        view = login_not_required(view)
    return view


def public(view=None, *, methods=("GET",)):
    def wrap(v):
        return _declare(Policy("public", methods=methods), v, open_to_anonymous=True)
    return wrap(view) if view else wrap


def sign_in_step(view=None, *, methods=("GET", "POST")):
    def wrap(v):
        return _declare(Policy("sign_in_step", methods=methods), v)
    return wrap(view) if view else wrap


def signed_in(view=None, *, methods=("GET",)):
    def wrap(v):
        return _declare(Policy("signed_in", methods=methods), v)
    return wrap(view) if view else wrap


def requires(permission: str, *, methods=("GET",)):
    def wrap(v):
        return _declare(Policy("permission", permission, methods), v)
    return wrap


def record(permission: str, *, methods=("GET",)):
    def wrap(v):
        return _declare(Policy("record", permission, methods), v)
    return wrap


def api_token(scopes: str, *, methods=("GET",)):
    """A partner-API view: the token's scope is checked by the API's own authentication.

    Open to requests without a session (partner systems have none): the staff sign-in
    redirect must not answer them, the API refuses them itself.
    """
    def wrap(v):
        return _declare(Policy("api_token", scopes, methods), v, open_to_anonymous=True)
    return wrap


def policy_of(view) -> Policy | None:
    # Class-based views and decorators may wrap; look through __wrapped__ and view_class.
    for candidate in (view, getattr(view, "__wrapped__", None), getattr(view, "view_class", None)):
        policy = getattr(candidate, "access_policy", None)
        if policy is not None:
            return policy
    return None
