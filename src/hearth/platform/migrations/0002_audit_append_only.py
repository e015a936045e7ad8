"""Make the audit append-only in the database itself (PostgreSQL).

The application never updates or deletes audit rows; this trigger makes sure nobody
else can either, short of a superuser dropping it (which the hash chain still exposes).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION hearth_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'platform_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER hearth_audit_no_update_delete
    BEFORE UPDATE OR DELETE ON platform_auditevent
    FOR EACH ROW EXECUTE FUNCTION hearth_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS hearth_audit_no_update_delete ON platform_auditevent;
DROP FUNCTION IF EXISTS hearth_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("platform", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
