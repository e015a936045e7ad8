"""Encrypted fields never reach the database as plaintext, and keys rotate."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from hearth.people.models import Person
from hearth.platform import crypto


def _raw(person_id: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM people_person WHERE id = %s", [person_id])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_database_holds_no_plaintext(db):
    person = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    for column, plaintext in (("phone", "07700 900431"), ("safe_address", "Hartshill Road"),
                              ("safe_contact", "Text only")):
        stored = _raw(person.pk, column)
        assert plaintext not in stored
        assert stored.startswith("gAAAA")  # a Fernet token
    assert Person.objects.get(pk=person.pk).safe_address.startswith("Flat 3, 27 Hartshill Road")


def test_no_plaintext_anywhere_in_a_dump_of_the_table(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, email, safe_contact, safe_address FROM people_person")
        dump = repr(cursor.fetchall())
    assert "Hartshill" not in dump and "900431" not in dump


def test_searching_ciphertext_is_refused(db):
    with pytest.raises(Exception, match="Unsupported lookup"):
        list(Person.objects.filter(phone__icontains="0770"))


def test_rotation_re_encrypts_under_the_newest_key(db, settings, capsys):
    person = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    old_token = _raw(person.pk, "safe_address")
    new_key = Fernet.generate_key().decode()
    settings.HEARTH_FIELD_KEYS = [new_key, *settings.HEARTH_FIELD_KEYS]
    call_command("rotate_field_keys")
    assert "rows now encrypted" in capsys.readouterr().out
    new_token = _raw(person.pk, "safe_address")
    assert new_token != old_token
    # The old key can now be retired: the newest alone decrypts every row.
    settings.HEARTH_FIELD_KEYS = [new_key]
    assert Person.objects.get(pk=person.pk).safe_address.startswith("Flat 3")
    assert Fernet(new_key.encode()).decrypt(new_token.encode()).decode().startswith("Flat 3")


def test_a_missing_key_is_a_clear_error_not_plaintext(db, settings):
    person = Person.objects.get(given_name="Elizabeth", family_name="Walker")
    settings.HEARTH_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="could not be decrypted"):
        Person.objects.get(pk=person.pk)


def test_a_malformed_key_is_a_clear_error(settings):
    settings.HEARTH_FIELD_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="Fernet key"):
        crypto.encrypt("x")


def test_blind_index_is_stable_and_keyed(settings):
    a = crypto.blind_index("07700900431", purpose="phone")
    assert a == crypto.blind_index("07700900431", purpose="phone")
    assert a != crypto.blind_index("07700900431", purpose="email")
    settings.HEARTH_BLIND_INDEX_KEY = "another-key"
    assert a != crypto.blind_index("07700900431", purpose="phone")
