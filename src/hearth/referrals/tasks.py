"""Background work of the referrals app (Django tasks; `manage.py db_worker` runs them)."""

from django.tasks import task

from . import services


@task
def referrals_check_overdue() -> int:
    """Escalate referrals past their response target and remind workers of unstarted ones (each once)."""
    return services.referrals_escalate_overdue() + services.referrals_remind_unstarted()
