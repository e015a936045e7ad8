"""Views of the marac app."""
