"""Field encryption for the most sensitive values (addresses, contact details, notes).

Values are Fernet tokens under a MultiFernet: the first key in ``HEARTH_FIELD_KEYS``
encrypts, every key decrypts, and ``manage.py rotate_field_keys`` re-encrypts old rows
under the first key. Encrypted columns cannot be searched; where an exact lookup is
needed, store ``blind_index(value)`` (an HMAC) beside it in an indexed column.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("HEARTH_FIELD_KEYS is empty: encrypted fields cannot work.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "Each HEARTH_FIELD_KEYS entry must be a 32-byte url-safe base64 Fernet key "
            "(make one with `manage.py new_field_key`)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.HEARTH_FIELD_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        # Never include the token or any plaintext in the message.
        raise ImproperlyConfigured(
            "An encrypted value could not be decrypted with any configured field key."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key (no-op in meaning, new ciphertext)."""
    return fernet().rotate(token.encode()).decode()


def new_key() -> str:
    return Fernet.generate_key().decode()


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash for exact-match lookups on an encrypted value.

    ``purpose`` separates indexes so equal values in different fields do not correlate.
    """
    key = settings.HEARTH_BLIND_INDEX_KEY.encode()
    message = f"{purpose}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the database never sees the plaintext."""

    description = "Encrypted text"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name):
        # Only null checks make sense on ciphertext; anything else would silently never match.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class EncryptedJSONField(models.TextField):
    """A JSON value stored encrypted (e.g. checklist answers, structured plans)."""

    description = "Encrypted JSON"

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(json.dumps(value, sort_keys=True))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        return json.loads(decrypt(value))

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted fields and their column names (for key rotation)."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, EncryptedTextField | EncryptedJSONField)
        ]
        if names:
            found.append((model, names))
    return found


def keys_problems() -> list[str]:
    """What is wrong with the configured field keys, checked against values already stored.

    Empty when every key is well formed and the newest stored value of each encrypted column
    decrypts. A key removed too soon, or a wrong one, otherwise shows only as server errors on
    the pages that read those columns. A database not yet migrated has nothing to check.
    """
    from django.db import DatabaseError
    from django.db.models import TextField
    from django.db.models.functions import Cast

    try:
        keys = fernet()
    except ImproperlyConfigured as exc:
        return [str(exc)]
    problems = []
    try:
        for model, names in encrypted_fields():
            for name in names:
                # The token as stored: a text cast skips the field's own decryption.
                raw = (model._base_manager.annotate(token=Cast(name, output_field=TextField()))
                       .exclude(token__isnull=True).exclude(token="").order_by("-pk")
                       .values_list("token", flat=True).first())
                if raw is None:
                    continue
                try:
                    keys.decrypt(raw.encode())
                except InvalidToken:
                    problems.append(f"{model._meta.label}.{name} holds values no configured key decrypts")
    except DatabaseError:
        return []  # no tables yet (before the first migrate): nothing stored to check
    return problems
