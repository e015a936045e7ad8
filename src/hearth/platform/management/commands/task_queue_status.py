import json

from django.core.management.base import BaseCommand, CommandError

from hearth.platform import taskqueue


class Command(BaseCommand):
    help = ("Print the task queue's heartbeat as JSON (queue depth, oldest queued task, last task finished, "
            "tasks left running by a dead worker). With --check, exit 1 and say why when a person is needed: "
            "for a monitoring check or a cron job that alerts.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="exit 1 when the queue needs a person")
        parser.add_argument("--max-wait", type=int, default=600,
                            help="seconds a ready task may wait before it is a problem (default 600)")
        parser.add_argument("--max-idle", type=int, default=900,
                            help="seconds without any task finishing before it is a problem (default 900; "
                                 "run_periodic queues work every 300 s)")

    def handle(self, *args, check: bool, max_wait: int, max_idle: int, **options):
        status = taskqueue.queue_status()
        self.stdout.write(json.dumps(status.as_dict(), sort_keys=True))
        if check:
            problems = taskqueue.queue_problems(status, max_wait_seconds=max_wait, max_idle_seconds=max_idle)
            if problems:
                raise CommandError("; ".join(problems))
