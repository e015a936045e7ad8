import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to start, rather than answer 500s on every page that
# reads an encrypted value, when the field keys cannot decrypt what is stored.
from hearth.platform import crypto  # noqa: E402 - needs the application (and its settings) loaded

if problems := crypto.keys_problems():
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Refusing to start: " + "; ".join(problems))
