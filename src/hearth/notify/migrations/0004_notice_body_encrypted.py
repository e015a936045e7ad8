"""Notice bodies are encrypted at rest: they may name a person, a record or a reason (issue 11)."""

from django.db import migrations

import hearth.platform.crypto


def encrypt_existing(apps, schema_editor):
    # Runs while the column is still plain text in the historical model: read the plain body,
    # write its Fernet token. The AlterField after it changes no column, only how it is read.
    from hearth.platform import crypto

    Notice = apps.get_model("notify", "Notice")
    for pk, body in Notice.objects.values_list("pk", "body").iterator(chunk_size=2000):
        if body:
            Notice.objects.filter(pk=pk).update(body=crypto.encrypt(body))


def decrypt_existing(apps, schema_editor):
    from hearth.platform import crypto

    Notice = apps.get_model("notify", "Notice")
    for pk, body in Notice.objects.values_list("pk", "body").iterator(chunk_size=2000):
        if body:
            Notice.objects.filter(pk=pk).update(body=crypto.decrypt(body))


class Migration(migrations.Migration):

    dependencies = [
        ("notify", "0003_outboundmessage"),
    ]

    operations = [
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            model_name="notice",
            name="body",
            field=hearth.platform.crypto.EncryptedTextField(),
        ),
    ]
