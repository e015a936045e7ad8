"""The stock ledger is append-only: the database itself refuses changes to a movement.

PostgreSQL refuses UPDATE and DELETE (a test database is emptied with TRUNCATE, which row
triggers do not see). SQLite refuses UPDATE only: Django empties a SQLite test database with
DELETE, so there the model and its queryset refuse deletion instead.
"""

from django.db import migrations

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION hearth_stock_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'support_stockmovement is append-only: record a new movement instead';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER hearth_stock_ledger_no_update_delete
    BEFORE UPDATE OR DELETE ON support_stockmovement
    FOR EACH ROW EXECUTE FUNCTION hearth_stock_ledger_append_only();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS hearth_stock_ledger_no_update_delete ON support_stockmovement;
DROP FUNCTION IF EXISTS hearth_stock_ledger_append_only();
"""
SQLITE_CREATE = [
    """CREATE TRIGGER hearth_stock_ledger_no_update BEFORE UPDATE ON support_stockmovement
       BEGIN SELECT RAISE(ABORT, 'support_stockmovement is append-only'); END;""",
    # An earlier draft of this migration refused DELETE on SQLite too, which stops test flushes.
    "DROP TRIGGER IF EXISTS hearth_stock_ledger_no_delete;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS hearth_stock_ledger_no_update;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
