from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hearth.platform import audit


class Command(BaseCommand):
    help = ("Verify the audit's keyed hash chain against the latest checkpoint; name every removed, "
            "rewritten or forged row and exit non-zero if there is any.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint", metavar="FILE",
            help="checkpoint file whose last line to check against (default HEARTH_AUDIT_CHECKPOINT_FILE, "
                 "if it exists); use the copy shipped off the host when the local one may have been touched",
        )

    def handle(self, *args, checkpoint=None, **options):
        path = checkpoint or settings.HEARTH_AUDIT_CHECKPOINT_FILE
        latest = None
        if checkpoint and not Path(checkpoint).is_file():
            raise CommandError(f"No checkpoint file at {checkpoint}.")
        if path and Path(path).is_file():
            try:
                latest = audit.latest_checkpoint(path)
            except ValueError as exc:
                raise CommandError(f"Cannot read the checkpoint: {exc}.") from exc
        result = audit.verify(checkpoint=latest)
        if latest is None:
            self.stdout.write("No checkpoint to check against: rows removed from the end would not show.")
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"Audit problem: {problem}")
            first = result.problems[0]
            raise CommandError(
                f"Audit chain broken: {len(result.problems)} problem(s); first, {first}. "
                f"{result.rows} sealed rows walked."
            )
        against = f" up to the checkpoint of {latest.at} (row {latest.row_id})" if latest else ""
        pending = f"; {result.unsealed} rows not sealed yet" if result.unsealed else ""
        self.stdout.write(f"Audit chain intact{against}: {result.rows} rows verified{pending}.")
