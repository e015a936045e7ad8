"""Background work of the MARAC app (Django tasks; `manage.py db_worker` runs them, `run_periodic` queues them)."""

from django.tasks import task

from . import services


@task
def marac_flag_repeats() -> int:
    """Flag new incidents within the repeat window of a MARAC referral and tell the coordinators (each once)."""
    return len(services.repeats_flag())
