"""``manage.py directory_import FILE_OR_URL``: load an Open Referral UK JSON feed into the directory."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hearth.directory.services import feed_import

MAX_BYTES = 20 * 1024 * 1024


def _read(source: str) -> bytes:
    if source.startswith(("https://", "http://")):
        request = urllib.request.Request(source, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # nosec B310
            return response.read(MAX_BYTES + 1)
    path = Path(source)
    if not path.is_file():
        raise CommandError(f"No such file: {source}")
    return path.read_bytes()[: MAX_BYTES + 1]


class Command(BaseCommand):
    help = "Import services from an Open Referral UK JSON feed (a file path or an http(s) URL)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="A JSON file, or the URL of an ORUK /services feed page.")

    def handle(self, *args, source: str, **options):
        raw = _read(source)
        if len(raw) > MAX_BYTES:
            raise CommandError("The feed is larger than 20 MB: import it in pages.")
        try:
            feed = json.loads(raw)
        except ValueError as problem:
            raise CommandError(f"The feed is not valid JSON: {problem}") from None
        try:
            result = feed_import(feed=feed, source=source)
        except ValidationError as problem:
            raise CommandError("; ".join(problem.messages)) from None
        self.stdout.write(f"Imported: {result.created} new, {result.updated} updated, "
                          f"{len(result.skipped)} skipped.")
        for reason in result.skipped:
            self.stdout.write(f"  skipped {reason}")
