"""Reads of the public help site: the current help text for a language (edited, or shipped)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone, translation

from .content import DEFAULTS, DEFAULTS_PUBLISHED, Section, blocks
from .models import HeldSelfReferral, HelpSection, HelpText


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


def held_waiting():
    """Self-referrals held for the partnership admin, neither released nor deleted yet."""
    return HeldSelfReferral.objects.select_related("service").filter(released_at__isnull=True,
                                                                     discarded_at__isnull=True)


def held_get(held_referral_id: int) -> HeldSelfReferral:
    """One held self-referral, else a 404."""
    return get_object_or_404(HeldSelfReferral, pk=held_referral_id)
