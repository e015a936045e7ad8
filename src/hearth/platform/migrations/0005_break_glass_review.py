"""Accountable break-glass: a reason category, repeat and limit flags, a review outcome;
the free-text reasons (break-glass and restriction) and the review note encrypted in place.

Existing rows are encrypted while the columns are still plain text fields, before they
become ``EncryptedTextField``; going back decrypts them first.
"""

import hearth.platform.crypto
from django.db import migrations, models

# (model, text fields) whose plain text is encrypted in place.
ENCRYPTED = [("BreakGlassGrant", ("reason", "review_note")), ("RecordSeal", ("reason",))]


def _rewrite(apps, change):
    for model_name, fields in ENCRYPTED:
        model = apps.get_model("platform", model_name)
        for row in model.objects.values("pk", *fields).iterator():
            values = {name: change(row[name]) for name in fields if row[name]}
            if values:
                model.objects.filter(pk=row["pk"]).update(**values)


def encrypt_existing(apps, schema_editor):
    _rewrite(apps, hearth.platform.crypto.encrypt)


def decrypt_existing(apps, schema_editor):
    _rewrite(apps, hearth.platform.crypto.decrypt)


class Migration(migrations.Migration):

    dependencies = [
        ('platform', '0003_access_grant_member'),
    ]

    operations = [
        migrations.AddField(
            model_name='breakglassgrant',
            name='is_repeat',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='breakglassgrant',
            name='reached_daily_limit',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='breakglassgrant',
            name='reason_category',
            field=models.CharField(choices=[('risk_to_life', "Immediate risk to someone's life or safety"), ('safeguarding_child', 'Safeguarding a child'), ('out_of_hours', 'Out-of-hours emergency, the owning agency cannot be reached'), ('statutory_deadline', 'Court or statutory deadline'), ('other', 'Other (explain below)')], default='other', max_length=30),
        ),
        migrations.AddField(
            model_name='breakglassgrant',
            name='review_outcome',
            field=models.CharField(blank=True, choices=[('justified', 'Justified'), ('not_justified', 'Not justified'), ('referred', 'Referred to the agency to follow up')], max_length=20),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            model_name='breakglassgrant',
            name='reason',
            field=hearth.platform.crypto.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name='breakglassgrant',
            name='review_note',
            field=hearth.platform.crypto.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name='recordseal',
            name='reason',
            field=hearth.platform.crypto.EncryptedTextField(),
        ),
    ]
