"""Risk tool versions: the shipped tools (DASH and the others) and licensed wording imported over them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from hearth.platform import audit
from hearth.platform.models import AuditAction

from ..models import (
    RiskTool,
    RiskToolVersion,
    Wording,
)
from ..tools import engine


@transaction.atomic
def tool_version_add(*, actor=None, slug: str, name: str, definition: dict, is_default: bool = False,
                     source_note: str = "") -> RiskToolVersion:
    """Add a definition as the tool's new current version; an identical one is not added twice.

    Earlier versions stay, so assessments answered on them keep their questions. ``actor``
    is None when the shipped tools are loaded by a migration or management command.
    """
    engine.validate(definition)
    tool, _ = RiskTool.objects.get_or_create(slug=slug, defaults={"name": name, "is_default": is_default})
    digest = engine.checksum(definition)
    existing = tool.versions.filter(checksum=digest).first()
    if existing is not None:
        return existing
    number = (tool.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    tool.versions.filter(is_current=True).update(is_current=False)
    version = RiskToolVersion.objects.create(
        tool=tool, number=number, label=definition["version_label"], definition=definition, checksum=digest,
        wording=definition.get("wording", Wording.HEARTH), is_current=True, created_by=actor,
        source_note=source_note[:300])
    audit.record(AuditAction.CREATE, obj=version, user=actor,
                 detail={"tool": slug, "number": number, "wording": version.wording})
    return version


def tools_load_shipped(*, actor=None) -> list[RiskToolVersion]:
    """Load the tools shipped with Hearth (own wording); a no-op once loaded."""
    loaded = []
    for slug in engine.SHIPPED:
        definition = engine.read_shipped(slug)
        loaded.append(tool_version_add(actor=actor, slug=slug, name=definition["name"], definition=definition,
                                       is_default=slug == engine.DEFAULT_TOOL,
                                       source_note="Shipped with Hearth"))
    return loaded


@transaction.atomic
def tool_wording_import(*, actor=None, slug: str, wording: dict, source_note: str = "") -> RiskToolVersion:
    """Make a new version of a tool with the partnership's licensed wording (same questions and scoring)."""
    tool = RiskTool.objects.filter(slug=slug).first()
    if tool is None:
        raise ValidationError(f"There is no risk tool '{slug}'.")
    current = tool.current_version()
    definition = engine.apply_wording(current.definition, wording)
    return tool_version_add(actor=actor, slug=slug, name=tool.name, definition=definition,
                            source_note=source_note or "Licensed wording imported")
