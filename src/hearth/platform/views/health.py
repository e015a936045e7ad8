"""The web process's health, for a load balancer or an uptime check: nothing else."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse

from hearth.platform.policy import public


def _database_reachable() -> bool:
    try:
        connection.ensure_connection()
        if connection.is_usable():  # a kept-alive connection is pinged
            return True
    except DatabaseError:
        pass
    connection.close()  # the next request connects afresh
    return False


@public
def health(request):
    """``{"status", "version", "database"}``: 200 when the database answers, 503 when not.

    Public and unaudited, so it holds no data beyond these three: no counts, no queue, no
    hostnames. The task queue's heartbeat is ``manage.py task_queue_status`` (docs/operations.md).
    """
    reachable = _database_reachable()
    return JsonResponse({"status": "ok" if reachable else "unavailable", "version": settings.HEARTH_VERSION,
                         "database": "reachable" if reachable else "unreachable"}, status=200 if reachable else 503)
