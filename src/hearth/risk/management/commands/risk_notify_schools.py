from django.core.management.base import BaseCommand

from hearth.risk.services import school_notifications_send_due


class Command(BaseCommand):
    help = ("Operation Encompass: notify each child's school about recent incidents the child was present at, "
            "once each, so the safeguarding lead knows before the next school day (run from cron, e.g. every "
            "15 minutes and at 06:00; `run_periodic` queues the same check as a task).")

    def handle(self, *args, **options):
        run = school_notifications_send_due()
        self.stdout.write(f"{len(run.sent)} school notification(s) sent.")
        # Counts only: these are children, and a cron mail is no place for their names.
        if run.no_school:
            self.stdout.write(f"{run.no_school} child(ren) present at a recent incident have no school on Hearth: "
                              "listed under 'Children with no school recorded' for workers to add.")
        if run.restricted:
            self.stdout.write(f"{run.restricted} restricted record(s) left to the workers named on them.")
        for school in sorted(set(run.no_lead)):
            self.stderr.write(f"{school} has no safeguarding lead on Hearth to read its notification(s).")
