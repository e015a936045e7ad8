"""Reads of the notify app."""

from __future__ import annotations

from .models import OutboundMessage


def outbox(*, limit: int = 200):
    """The newest messages Hearth would have sent (development and the demo only)."""
    return OutboundMessage.objects.all()[:limit]
