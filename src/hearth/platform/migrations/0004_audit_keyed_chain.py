"""The keyed audit chain: rows are sealed just after their transaction commits.

Existing rows keep their plain SHA-256 hashes and get no ``key_id``: verification checks them
as they were written. Re-hashing them with the new key would need the append-only trigger
switched off and would launder any change made to them before today; leaving them alone
keeps them evidence. The first sealed row's HMAC covers the last old row's hash, so the old
part cannot be rewritten afterwards without the key either.

The trigger now lets exactly one UPDATE through: sealing a row that has no hash yet, changing
nothing but its place in the chain (``seq``, ``prev_hash``, ``hash``).
"""

from django.db import migrations, models

CHAIN_COLUMNS = "ARRAY['seq', 'prev_hash', 'hash']"

SEALABLE = f"""
CREATE OR REPLACE FUNCTION hearth_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.hash IS NULL AND NEW.hash IS NOT NULL
           AND (to_jsonb(NEW) - {CHAIN_COLUMNS}) = (to_jsonb(OLD) - {CHAIN_COLUMNS}) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'platform_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION hearth_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'platform_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEALABLE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('platform', '0003_access_grant_member'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='key_id',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='mac',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('hash__isnull', True)), fields=['id'], name='audit_unsealed'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
