"""Hearth: one platform for a local domestic-abuse partnership."""
