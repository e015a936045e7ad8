from django.core.management.base import BaseCommand

from hearth.referrals.services import referrals_escalate_overdue


class Command(BaseCommand):
    help = ("Escalate referrals past their response target to the receiving agency's team leads, once each "
            "(run from cron; `run_periodic` queues the same check as a task).")

    def handle(self, *args, **options):
        self.stdout.write(f"{referrals_escalate_overdue()} overdue referral(s) escalated.")
