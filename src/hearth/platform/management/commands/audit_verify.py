from django.core.management.base import BaseCommand, CommandError

from hearth.platform import audit


class Command(BaseCommand):
    help = "Verify the audit's hash chain; exit non-zero naming the first bad row."

    def handle(self, *args, **options):
        result = audit.verify()
        if not result.ok:
            raise CommandError(
                f"Audit chain broken at row {result.first_bad_id}: it {result.problem}. "
                f"{result.rows} rows before it verified."
            )
        self.stdout.write(f"Audit chain intact: {result.rows} rows verified.")
