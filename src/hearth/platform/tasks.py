"""Background work of the platform (Django tasks; `manage.py db_worker` runs them)."""

from django.tasks import task

from . import audit


@task
def audit_checkpoint() -> int:
    """Seal pending audit rows and append a signed checkpoint of the chain's head; return its row count."""
    return audit.checkpoint_write().rows
