# A relationship names the record that caused it (cause_type, cause_id) instead of a formatted
# string in ``source``; ``source`` stays as the words shown to people. Existing grants get their
# cause from the strings the domain services wrote. The kernel names those apps' tables here by
# label only: it imports none of them, and a database without them simply has no such grants.
import re

import django.db.models.deletion
from django.db import migrations, models


# source written by the services -> the cause's (app label, model); None: the record granted on.
SOURCES = [
    (re.compile(r"^referral (\d+)$"), ("referrals", "referral")),
    (re.compile(r"^delivery (\d+)$"), ("support", "delivery")),
    (re.compile(r"^listed at MARAC meeting (\d+)$"), ("marac", "maracmeeting")),
    (re.compile(r"^coordinator of meeting (\d+)$"), ("marac", "maracmeeting")),
    (re.compile(r"^MARAC referral$"), None),
    (re.compile(r"^IDVA allocation for a high-risk survivor$"), None),
]


def causes_from_source(apps, schema_editor):
    AccessGrant = apps.get_model("platform", "AccessGrant")
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = {}
    for grant in AccessGrant.objects.filter(cause_type__isnull=True).exclude(source="").iterator():
        for pattern, label in SOURCES:
            if match := pattern.match(grant.source):
                break
        else:
            continue  # owner and demo relationships: no record caused them
        if label is None:
            cause_type_id, cause_id = grant.content_type_id, grant.object_id
        else:
            if label not in types:
                types[label] = ContentType.objects.get_or_create(app_label=label[0], model=label[1])[0].pk
            cause_type_id, cause_id = types[label], int(match.group(1))
        AccessGrant.objects.filter(pk=grant.pk).update(cause_type_id=cause_type_id, cause_id=cause_id)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('platform', '0006_merge_audit_chain_break_glass'),
    ]

    operations = [
        migrations.AddField(
            model_name='accessgrant',
            name='cause_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='accessgrant',
            name='cause_type',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.AddIndex(
            model_name='accessgrant',
            index=models.Index(fields=['cause_type', 'cause_id'], name='grant_by_cause'),
        ),
        migrations.RunPython(causes_from_source, migrations.RunPython.noop),
    ]
