"""Background work of the notify app (Django tasks; `manage.py db_worker` runs them)."""

from django.tasks import task

from . import services


@task
def message_deliver(message_id: int) -> str:
    return services.message_deliver_now(message_id).status


@task
def messages_send_due() -> int:
    """Send every message whose retry time or safe window has come."""
    count = 0
    for message in services.messages_due():
        services.message_deliver_now(message.pk)
        count += 1
    return count
