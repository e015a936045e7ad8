"""Reads of the public help site: the current help text for a language (edited, or shipped)."""

from __future__ import annotations

from django.utils import timezone, translation

from .content import DEFAULTS, DEFAULTS_PUBLISHED, Section, blocks
from .models import HelpSection, HelpText


def help_section(key: str, language: str | None = None) -> Section:
    """The newest published version of a section in the language, else the shipped text."""
    language = language or translation.get_language()
    edited = HelpText.objects.filter(section=key, language=language).order_by("-published_at", "-pk").first()
    if edited is not None:
        return Section(key, edited.title, blocks(edited.body), edited.published_at, True)
    title, body = DEFAULTS[key]
    published = timezone.make_aware(DEFAULTS_PUBLISHED)
    return Section(key, str(title), blocks(str(body)), published, False)


def help_sections(language: str | None = None) -> dict[str, Section]:
    return {key: help_section(key, language) for key in HelpSection.values}


def help_versions(*, section: str, language: str):
    return HelpText.objects.filter(section=section, language=language).select_related("published_by")
