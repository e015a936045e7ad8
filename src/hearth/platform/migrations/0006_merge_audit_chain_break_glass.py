# The keyed audit chain (0004) and break-glass review (0005) were built side by side; 0005 has
# landed on its own, so a merge keeps any database that already applied it consistent.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ('platform', '0004_audit_keyed_chain'),
        ('platform', '0005_break_glass_review'),
    ]

    operations = []
