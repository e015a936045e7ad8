import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, connections
from django.utils.crypto import get_random_string

from hearth.platform import taskqueue

log = logging.getLogger("hearth.worker")

# After a database outage: wait 1, 2, 4 … seconds between tries, at most this long.
MAX_BACKOFF_SECONDS = 60
# A worker that ran this long before failing was healthy: its next outage starts the backoff again.
HEALTHY_RUN_SECONDS = 60


class Command(BaseCommand):
    help = ("Run the task worker (django-tasks-db's db_worker) without the autoreloader, and keep it running "
            "through database outages: it logs, waits with backoff and carries on. Run it under a supervisor "
            "(docs/operations.md).")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls of an empty queue")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")

    def handle(self, *args, interval: float, batch: bool, **options):
        worker_id = get_random_string(32)
        failures = 0
        while True:
            started = time.monotonic()
            try:
                # Tasks this worker claimed before losing the database are not running any more.
                taskqueue.tasks_reclaim_stale(worker_id=worker_id)
                taskqueue.tasks_reclaim_stale()
                worker_args = ["--no-reload", "--worker-id", worker_id, "--interval", str(interval)]
                # A batch run starts at once; a long-running worker keeps db_worker's small random
                # delay, so a pool restarted together does not poll in step.
                call_command("db_worker", *worker_args, *(["--batch", "--no-startup-delay"] if batch else []),
                             verbosity=options["verbosity"])
                return  # only a batch run ends by itself
            except (OperationalError, InterfaceError) as exc:
                failures = 1 if time.monotonic() - started > HEALTHY_RUN_SECONDS else failures + 1
                delay = min(MAX_BACKOFF_SECONDS, 2 ** (failures - 1))
                # The exception's kind only: its text can carry connection details.
                log.warning("task worker lost the database (%s); trying again in %s s", type(exc).__name__, delay)
                connections.close_all()
                time.sleep(delay)
