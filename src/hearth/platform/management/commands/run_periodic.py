import logging
import time

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, connections

from hearth.platform import periodic, taskqueue

log = logging.getLogger("hearth.periodic")

# The periodic checks, each registered by the app that owns it (name -> task): see periodic.py.
CHECKS = periodic.CHECKS
MAX_BACKOFF_SECONDS = 60


class Command(BaseCommand):
    help = ("Queue the periodic checks (messages due, overdue referrals) for the task worker, every --every "
            "seconds, and put back tasks a dead worker left running. `make demo` runs it beside the worker; "
            "in production run it under a supervisor, or from cron or a systemd timer with --once. A database "
            "outage is logged and waited out (with --once it fails, for cron to try again).")

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=300, help="seconds between rounds (default 300)")
        parser.add_argument("--once", action="store_true", help="queue one round and stop")
        parser.add_argument("--rounds", type=int, default=0, help="stop after this many rounds (default: never)")

    def handle(self, *args, every: int, once: bool, rounds: int, **options):
        tasks = dict(CHECKS)
        done = failures = 0
        while True:
            try:
                if reclaimed := taskqueue.tasks_reclaim_stale():
                    self.stdout.write(f"put back {reclaimed} task(s) left running by a dead worker")
                for name, task in tasks.items():
                    task.enqueue()
                    self.stdout.write(f"queued {name}")
                failures = 0
            except (OperationalError, InterfaceError) as exc:
                if once:
                    raise
                failures += 1
                delay = min(MAX_BACKOFF_SECONDS, 2 ** (failures - 1))
                # The exception's kind only: its text can carry connection details.
                log.warning("periodic checks could not reach the database (%s); trying again in %s s",
                            type(exc).__name__, delay)
                connections.close_all()
                time.sleep(delay)
                continue
            done += 1
            if once or (rounds and done >= rounds):
                return
            time.sleep(max(every, 10))
