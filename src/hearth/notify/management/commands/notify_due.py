from django.core.management.base import BaseCommand

from hearth.notify import services


class Command(BaseCommand):
    help = "Send messages whose retry time or safe window has come (run from cron every few minutes)."

    def handle(self, *args, **options):
        count = 0
        for message in services.messages_due():
            services.message_deliver_now(message.pk)
            count += 1
        self.stdout.write(f"{count} message(s) processed.")
