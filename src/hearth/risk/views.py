"""Views of the risk app."""
