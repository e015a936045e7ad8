from django.core.management.base import BaseCommand

from hearth.marac.services import repeats_flag


class Command(BaseCommand):
    help = ("Flag repeats (a new incident between the same victim and alleged perpetrator within the repeat window "
            "of the last MARAC referral) and tell the MARAC coordinators, once per incident (run from cron; "
            "`run_periodic` queues the same check as a task).")

    def handle(self, *args, **options):
        flags = repeats_flag()
        self.stdout.write(f"{len(flags)} repeat(s) flagged.")
        if any(flag.coordinators_told == 0 for flag in flags):
            self.stderr.write("No MARAC coordinator is on Hearth to be told: the flags wait on the dashboard.")
