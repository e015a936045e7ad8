"""Background work of the referrals app (Django tasks; `manage.py db_worker` runs them)."""

from django.tasks import task

from . import services


@task
def referrals_check_overdue() -> int:
    """Escalate referrals past their response target (each once): see ``referrals_escalate_overdue``."""
    return services.referrals_escalate_overdue()
