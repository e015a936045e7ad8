"""The help text Hearth ships, in plain words (reading age about 9), translated with gettext.

A partnership admin can publish a new version of any section in any language from the staff
pages (``HelpText``); until then these defaults are shown. The body uses short paragraphs
separated by blank lines; a line starting with "- " is a bullet point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from .models import HelpSection

# When the shipped text was last reviewed (shown as its published date).
DEFAULTS_PUBLISHED = datetime(2026, 11, 1, 9, 0)

DEFAULTS = {
    HelpSection.WHAT_IS_ABUSE: (
        _("What counts as domestic abuse"),
        _("Domestic abuse is when a partner, an ex-partner or someone in your family hurts you, "
          "scares you or controls you. It can happen once or many times. It can happen to anyone.\n\n"
          "It can be:\n"
          "- hitting, pushing, choking or hurting your body\n"
          "- making you do sexual things you do not want\n"
          "- controlling who you see, where you go or what you wear\n"
          "- taking your money, or stopping you working or buying things\n"
          "- name-calling, threats and making you feel afraid or worthless\n"
          "- checking your phone, tracking you or sharing private pictures online\n\n"
          "Children who see or hear abuse at home are hurt by it too. They are victims in their own right."),
    ),
    HelpSection.HAPPENING_TO_ME: (
        _("Is this happening to me?"),
        _("Ask yourself:\n"
          "- Do you feel scared of someone at home?\n"
          "- Do you change what you do so they do not get angry?\n"
          "- Do they stop you seeing friends or family?\n"
          "- Do they control your money or your phone?\n\n"
          "If you said yes, it is not your fault and you are not alone. You can talk to New Era for free, "
          "any time, day or night. They will listen and will not judge you."),
    ),
    HelpSection.WORRIED_ABOUT_SOMEONE: (
        _("Worried about someone?"),
        _("If you think a friend, a family member or a neighbour is being abused:\n"
          "- listen and believe them\n"
          "- do not tell them what they must do\n"
          "- tell them about the helplines on this page\n"
          "- call 999 if they are in danger now\n\n"
          "You can call New Era yourself to ask for advice."),
    ),
    HelpSection.OWN_BEHAVIOUR: (
        _("Worried about your own behaviour?"),
        _("If you have hurt, scared or controlled someone close to you, you can change. "
          "Asking for help is the first step.\n\n"
          "New Era helps people who want to stop being abusive. Call 0300 373 5772 or email "
          "behaviour-change@new-era.uk. The Respect Phoneline is free on 0808 8024 040."),
    ),
}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    paragraphs: list[list[str] | str]  # a str is a paragraph, a list is a bullet list
    published_at: datetime
    edited: bool


def blocks(body: str) -> list[list[str] | str]:
    """Split plain text into paragraphs and bullet lists (no HTML is ever taken from the text)."""
    out: list[list[str] | str] = []
    for chunk in str(body).replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        text: list[str] = []
        bullets: list[str] = []
        for line in lines:
            if line.startswith("- "):
                if text:
                    out.append(" ".join(text))
                    text = []
                bullets.append(line[2:].strip())
            else:
                if bullets:
                    out.append(bullets)
                    bullets = []
                text.append(line)
        if text:
            out.append(" ".join(text))
        if bullets:
            out.append(bullets)
    return out
