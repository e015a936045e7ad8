"""The demo partnership (DEMO.md): agencies, one user per role, and the stories' people.

``manage.py load_demo`` is idempotent: run it again and nothing is duplicated.
"""
