"""Views of the directory app."""
