import time

from django.core.management.base import BaseCommand

# The periodic checks, as tasks for the database worker: name -> "module:task".
CHECKS = {
    "messages": "hearth.notify.tasks:messages_send_due",
    "overdue_referrals": "hearth.referrals.tasks:referrals_check_overdue",
    "school_notifications": "hearth.risk.tasks:risk_notify_schools",
    "marac_repeats": "hearth.marac.tasks:marac_flag_repeats",
    "audit_checkpoint": "hearth.platform.tasks:audit_checkpoint",
}


class Command(BaseCommand):
    help = ("Queue the periodic checks (messages due, overdue referrals) for the task worker, every --every "
            "seconds. `make demo` runs it beside `db_worker`; in production use cron or a systemd timer with "
            "--once (or the plain commands notify_due and referrals_overdue).")

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=300, help="seconds between rounds (default 300)")
        parser.add_argument("--once", action="store_true", help="queue one round and stop")

    def handle(self, *args, every: int, once: bool, **options):
        from importlib import import_module

        tasks = {name: getattr(import_module(path.split(":")[0]), path.split(":")[1]) for name, path in CHECKS.items()}
        while True:
            for name, task in tasks.items():
                task.enqueue()
                self.stdout.write(f"queued {name}")
            if once:
                return
            time.sleep(max(every, 10))
