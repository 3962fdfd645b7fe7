from django.core.management.base import BaseCommand, CommandError

from samiti.access.rules.syntax import RuleError
from samiti.access.services.catalogue import SHIPPED, load_schemes
from samiti.core.errors import SamitiError


class Command(BaseCommand):
    help = (
        "Load the shipped Bangladesh schemes, their rules and windows, and the grievance categories. "
        "Creates only what is missing; an admin's edits are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", default=str(SHIPPED), help="JSON file; the shipped one by default"
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Add a rule version dated today for each scheme whose shipped rule changed.",
        )

    def handle(self, *args, file: str, update: bool, **options):
        try:
            created = load_schemes(file, update=update)
        except (OSError, ValueError, KeyError, RuleError, SamitiError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Schemes: {created} records created.")
