from django.core.management.base import BaseCommand

from hearth.referrals.services import referrals_escalate_overdue, referrals_remind_unstarted


class Command(BaseCommand):
    help = ("Escalate referrals past their response target to the receiving agency's team leads, and remind "
            "workers of accepted referrals not started after two days, once each "
            "(run from cron; `run_periodic` queues the same check as a task).")

    def handle(self, *args, **options):
        self.stdout.write(f"{referrals_escalate_overdue()} overdue referral(s) escalated.")
        self.stdout.write(f"{referrals_remind_unstarted()} reminder(s) of accepted referrals not started.")
