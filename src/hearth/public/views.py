"""Views of the public app."""
