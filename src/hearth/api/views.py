"""Views of the api app."""
