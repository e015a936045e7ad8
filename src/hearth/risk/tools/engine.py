"""The questionnaire engine: validate a tool definition, score answers, find the level.

A definition is plain JSON (see ``safelives_dash.json``). Nothing here knows which tool it
is scoring: a successor tool is a new file, not new code.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

SHIPPED = {
    "safelives-dash": Path(__file__).with_name("safelives_dash.json"),
    "police-dash": Path(__file__).with_name("police_dash.json"),
}
DEFAULT_TOOL = "safelives-dash"
LEVELS = ("standard", "medium", "high")


def checksum(definition: dict) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()


def read_shipped(slug: str) -> dict:
    with SHIPPED[slug].open(encoding="utf-8") as handle:
        return json.load(handle)


def validate(definition: dict) -> dict:
    """Check a definition is complete and consistent; raise ``ValidationError`` naming each problem."""
    problems = []
    for key in ("tool", "name", "version_label", "answer_options", "levels", "questions"):
        if key not in definition:
            problems.append(f"missing '{key}'")
    if problems:
        raise ValidationError(problems)
    values = [option.get("value") for option in definition["answer_options"]]
    if len(set(values)) != len(values) or not values:
        problems.append("answer options need unique values")
    for option in definition["answer_options"]:
        if not isinstance(option.get("score"), int):
            problems.append(f"answer option '{option.get('value')}' needs a whole-number score")
    ids = [q.get("id") for q in definition["questions"]]
    if not ids or len(set(ids)) != len(ids) or not all(ids):
        problems.append("every question needs its own id")
    if any(not str(q.get("text", "")).strip() for q in definition["questions"]):
        problems.append("every question needs text")
    levels = {level.get("level"): level.get("min_score") for level in definition["levels"]}
    if set(levels) != set(LEVELS):
        problems.append("levels must be exactly standard, medium and high")
    elif not levels["standard"] <= levels["medium"] <= levels["high"]:
        problems.append("level thresholds must rise from standard to high")
    if problems:
        raise ValidationError(problems)
    return definition


@dataclass(frozen=True)
class Scored:
    complete: bool
    missing: list[str]
    score: int | None
    level: str | None


def score(definition: dict, answers: dict) -> Scored:
    """Score answers against a definition. An incomplete set is never scored."""
    option_scores = {o["value"]: o["score"] for o in definition["answer_options"]}
    missing = [q["id"] for q in definition["questions"] if answers.get(q["id"]) not in option_scores]
    if missing:
        return Scored(False, missing, None, None)
    total = sum(option_scores[answers[q["id"]]] for q in definition["questions"])
    return Scored(True, [], total, level_for(definition, total))


def level_for(definition: dict, total: int) -> str:
    for level in sorted(definition["levels"], key=lambda lv: -lv["min_score"]):
        if total >= level["min_score"]:
            return level["level"]
    return "standard"


def apply_wording(definition: dict, wording: dict) -> dict:
    """A copy of ``definition`` with question texts replaced by licensed wording.

    ``wording`` is ``{"version_label": ..., "questions": {id: text, ...}}`` and must cover
    exactly the same question ids, so scoring and old answers keep their meaning.
    """
    texts = wording.get("questions")
    if not isinstance(texts, dict):
        raise ValidationError("The wording file needs a 'questions' object of question id to text.")
    ids = {q["id"] for q in definition["questions"]}
    missing, unknown = sorted(ids - set(texts)), sorted(set(texts) - ids)
    problems = []
    if missing:
        problems.append(f"no wording for: {', '.join(missing)}")
    if unknown:
        problems.append(f"questions this tool does not have: {', '.join(unknown)}")
    if any(not str(text).strip() for text in texts.values()):
        problems.append("every question needs text")
    if problems:
        raise ValidationError(problems)
    result = json.loads(json.dumps(definition))
    for question in result["questions"]:
        question["text"] = str(texts[question["id"]]).strip()
        if "guidance" in wording and isinstance(wording["guidance"], dict):
            question["guidance"] = str(wording["guidance"].get(question["id"], question.get("guidance", "")))
    result["version_label"] = str(wording.get("version_label") or "Licensed wording")
    result["wording"] = "licensed"
    if wording.get("wording_note"):
        result["wording_note"] = str(wording["wording_note"])
    return validate(result)
