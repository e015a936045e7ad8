from django.core.management.base import BaseCommand
from django.db import transaction

from hearth.platform import audit, crypto
from hearth.platform.models import AuditAction


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key in HEARTH_FIELD_KEYS. "
        "Run after putting a new key first; remove the old key only after this succeeds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        total = 0
        for model, names in crypto.encrypted_fields():
            rows = 0
            last_pk = None
            while True:
                # Reading decrypts with any configured key; writing encrypts with the first.
                qs = model._base_manager.order_by("pk").only("pk", *names)
                if last_pk is not None:
                    qs = qs.filter(pk__gt=last_pk)
                batch = list(qs[:batch_size])
                if not batch:
                    break
                with transaction.atomic():
                    model._base_manager.bulk_update(batch, names)
                rows += len(batch)
                last_pk = batch[-1].pk
            self.stdout.write(f"{model._meta.label}: {rows} rows re-encrypted ({', '.join(names)})")
            total += rows
        audit.record(AuditAction.KEY_ROTATION, detail={"rows": total})
        self.stdout.write(f"Done: {total} rows now encrypted under the newest key.")
