from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hearth.api import services
from hearth.api.models import ApiToken, Scope
from hearth.platform.models import Agency


class Command(BaseCommand):
    help = ("Make, list or revoke partner-system API tokens. A new token is printed once; only its hash is kept. "
            "e.g. api_token create stoke-north-hub 'Niche records system' --scope referrals:create "
            "--scope referrals:read")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("agency", help="the agency's slug")
        create.add_argument("name", help="which system will use it")
        create.add_argument("--scope", action="append", choices=Scope.values, required=True)
        listing = sub.add_parser("list")
        listing.add_argument("agency", nargs="?")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix", help="the 8 characters after 'hearth_'")

    def handle(self, *args, action, **options):
        if action == "create":
            agency = Agency.objects.filter(slug=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency {options['agency']!r}.")
            try:
                made = services.token_create(actor=None, agency=agency, name=options["name"],
                                             scopes=options["scope"])
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
            self.stdout.write("Copy this token now; it is not shown again:")
            self.stdout.write(made.raw)
        elif action == "list":
            tokens = ApiToken.objects.select_related("agency")
            if options["agency"]:
                tokens = tokens.filter(agency__slug=options["agency"])
            for token in tokens:
                state = "live" if token.is_live else f"revoked {token.revoked_at:%Y-%m-%d}"
                self.stdout.write(f"hearth_{token.prefix}_…  {token.agency.slug}  {token.name}  "
                                  f"{','.join(token.scopes)}  {state}")
        else:
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError("No token starts with that.")
            services.token_revoke(actor=None, token=token)
            self.stdout.write(f"Revoked hearth_{token.prefix}_… ({token.name}).")
