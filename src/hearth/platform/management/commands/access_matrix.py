from django.core.management.base import BaseCommand, CommandError

from hearth.platform import access_matrix
from hearth.platform.roles import Role

SHORT = {"allowed": "yes", "denied": "-", "object": "obj", "public": "pub", "api_token": "tok"}


class Command(BaseCommand):
    help = "Print the role × URL access matrix; with --check, fail on any URL without a policy."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="exit non-zero naming every URL whose view declares no policy")

    def handle(self, *args, check, **options):
        missing = access_matrix.undeclared()
        if check:
            if missing:
                names = "\n  ".join(f"{r.name} ({r.pattern})" for r in missing)
                raise CommandError(f"URLs without a declared access policy:\n  {names}")
            self.stdout.write(f"All {len(access_matrix.routes())} URLs declare an access policy.")
            return
        roles = Role.values
        self.stdout.write("Legend: yes = allowed, obj = allowed for records the agency has a "
                          "relationship with, - = denied, pub = public, tok = partner API: an agency token only\n")
        header = ["url", "policy", *[r[:10] for r in roles]]
        rows = [header]
        for route, outcomes in access_matrix.matrix():
            rows.append([route.name, route.policy.describe(),
                         *[SHORT[outcomes[r]] for r in roles]])
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        for route in missing:
            self.stdout.write(self.style.ERROR(f"NO POLICY: {route.name} ({route.pattern})"))
