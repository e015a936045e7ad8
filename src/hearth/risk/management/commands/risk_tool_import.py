"""Import the partnership's licensed wording of a risk tool as its new version.

    manage.py risk_tool_import safelives-dash licensed-dash.json

The file holds ``{"version_label": "...", "questions": {"<question id>": "<official text>", ...}}``
covering exactly the tool's question ids (``--show-ids`` lists them); optional
``"guidance": {id: text}`` and ``"wording_note"``. Scoring and thresholds stay as they are,
and assessments answered on earlier versions keep their wording.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hearth.risk import services
from hearth.risk.models import RiskTool


class Command(BaseCommand):
    help = "Import licensed official wording for a risk tool as a new version."

    def add_arguments(self, parser):
        parser.add_argument("tool", help="the tool's slug, e.g. safelives-dash or police-dash")
        parser.add_argument("file", nargs="?", help="JSON file with the licensed wording")
        parser.add_argument("--show-ids", action="store_true", help="list the tool's question ids and stop")
        parser.add_argument("--note", default="", help="where the wording came from (licence reference)")

    def handle(self, *args, tool, file=None, show_ids=False, note="", **options):
        found = RiskTool.objects.filter(slug=tool).first()
        if found is None:
            known = ", ".join(RiskTool.objects.values_list("slug", flat=True))
            raise CommandError(f"No risk tool '{tool}'. Known: {known}")
        if show_ids:
            for number, question in enumerate(found.current_version().questions, start=1):
                self.stdout.write(f"{number:>2} {question['id']}")
            return
        if not file:
            raise CommandError("Give the JSON file with the licensed wording.")
        try:
            wording = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            version = services.tool_wording_import(slug=tool, wording=wording, source_note=note)
        except ValidationError as exc:
            raise CommandError("The wording was not imported: " + "; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{found.name}: version {version.number} ({version.label}) is now current."))
