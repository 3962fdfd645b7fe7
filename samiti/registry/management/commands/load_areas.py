import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samiti.registry.services import RegistryError, load_areas

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "bd_admin_areas.csv"


class Command(BaseCommand):
    help = "Load administrative areas from a CSV (level, code, name_en, name_bn, parent_code, ...)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(SHIPPED), help="CSV file; Bangladesh by default")

    def handle(self, *args, file: str, **options):
        try:
            with open(file, encoding="utf-8-sig", newline="") as handle:
                created, updated = load_areas(csv.DictReader(handle))
        except (OSError, RegistryError, KeyError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Areas: {created} created, {updated} updated.")
