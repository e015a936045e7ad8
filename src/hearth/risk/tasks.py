"""Background work of the risk app (Django tasks; `manage.py db_worker` runs them, `run_periodic` queues them)."""

from django.tasks import task

from . import services


@task
def risk_notify_schools() -> int:
    """Operation Encompass: notify schools about recent incidents their pupils were present at (each once)."""
    return len(services.school_notifications_send_due().sent)
