"""The periodic checks, registered by the apps that own them (at app-ready), queued by
``manage.py run_periodic``. The kernel names no app's task: each app registers its own.
"""

from __future__ import annotations

# name -> task (a django.tasks Task), in the order queued. Filled at app-ready; ordered by
# ``order`` then by registration (INSTALLED_APPS order).
CHECKS: dict = {}
_ORDER: dict[str, tuple[int, int]] = {}


def register(name: str, task, *, order: int = 100) -> None:
    """Queue ``task`` with every round of periodic checks, under ``name`` (call at app-ready).

    ``order`` places it among the others: lower goes first (the audit checkpoint goes last, so
    it seals the rows the round's other checks wrote).
    """
    _ORDER[name] = (order, _ORDER.get(name, (0, len(_ORDER)))[1])
    CHECKS[name] = task
    ordered = sorted(CHECKS.items(), key=lambda item: _ORDER[item[0]])
    CHECKS.clear()
    CHECKS.update(ordered)
