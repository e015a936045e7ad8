"""The kernel's ports: where domain apps plug in, so that the kernel imports none of them.

- ``alert``: the kernel tells a member of staff something (a refused attempt on a restricted
  record, a break-glass opened). ``HEARTH_ALERT_BACKEND`` names the callable that delivers it, in
  the style of ``EMAIL_BACKEND``; notify's ``notice_send`` by default.
- ``home_contribute``: an app adds to the staff home page's context (notify's unread notices).
- ``home_link``: an app adds a link to the staff home page's menu, shown to those its permission allows.
- Periodic checks register in ``hearth.platform.periodic``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

_HOME: list[Callable] = []
_LINKS: dict[str, tuple[int, str, str]] = {}


def alert(*, recipient, subject: str, body: str, email: bool = False):
    """Tell a member of staff something, through the backend ``HEARTH_ALERT_BACKEND`` names.

    The body is read inside Hearth only: a backend that emails says no more than that there is
    something to read (notify's does).
    """
    backend = import_string(settings.HEARTH_ALERT_BACKEND)
    return backend(recipient=recipient, subject=subject, body=body, email=email)


def home_contribute(contribution: Callable) -> Callable:
    """Register ``contribution(user) -> dict``, merged into the home page's context (call at app-ready)."""
    if contribution not in _HOME:
        _HOME.append(contribution)
    return contribution


def home_context(user) -> dict:
    """What the registered apps add to ``user``'s home page."""
    context: dict = {}
    for contribution in _HOME:
        context.update(contribution(user))
    return context


def home_link(*, order: int, permission, label: str, url_name: str) -> None:
    """Register a link on the staff home page's menu (call at app-ready): shown, in ``order``, to
    those ``permission`` allows. Registering the same URL again replaces it."""
    _LINKS[url_name] = (order, permission, label)


def home_links() -> list[tuple]:
    """Every registered home link as ``(permission, label, url_name)``, in order."""
    return [(perm, label, url) for url, (order, perm, label) in sorted(_LINKS.items(), key=lambda i: i[1][0])]
