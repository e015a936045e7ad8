"""Background work of the notify app (Django tasks; `manage.py db_worker` runs them)."""

from django.tasks import task

from . import services


@task
def message_deliver(message_id: int) -> str:
    return services.message_deliver_now(message_id).status
