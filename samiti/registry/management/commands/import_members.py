"""Import members from a CSV or XLSX file, as the import page does, with a progress bar."""

import csv
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from samiti.registry import importing
from samiti.registry.importing import ImportFileError
from samiti.registry.models import User


class Command(BaseCommand):
    help = (
        "Import members from a CSV or XLSX file. Without --good-rows-only a file with any bad row "
        "imports nothing and the command fails; --dry-run only shows what would happen."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file; write nothing")
        parser.add_argument(
            "--good-rows-only", action="store_true", help="import the good rows, report the bad"
        )
        parser.add_argument("--user", help="the staff account importing (its scope applies); default: none")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="fill FIELD from the column HEADER (FIELD empty to ignore the column); repeatable",
        )

    def handle(self, *args, file: Path, dry_run: bool, good_rows_only: bool, user: str | None, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None or not actor.can_edit:
                raise CommandError(f"No active account {user!r} that may change records.")
        if not file.exists():
            raise CommandError(f"No file {file}.")
        try:
            with importing.open_table(file) as table:
                headers, total = table.headers, table.total
            mapping = self._mapping(headers, options["map"])
            with (
                tempfile.TemporaryDirectory() as directory,
                tqdm(
                    total=total,
                    unit=" rows",
                    file=getattr(self.stderr, "_out", sys.stderr),
                    disable=options["verbosity"] < 1,
                ) as bar,
            ):
                bad_rows = Path(directory) / "bad_rows.csv"
                summary = importing.run_import(
                    path=file,
                    mapping=mapping,
                    user=actor,
                    apply=not dry_run,
                    good_rows_only=good_rows_only,
                    bad_rows_path=bad_rows,
                    progress=bar.update,
                )
                bar.close()
                self._report(summary, bad_rows)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        elif summary.applied:
            self.stdout.write(self.style.SUCCESS(f"Imported: {summary.new} new, {summary.updated} changed."))
        if summary.bad and not good_rows_only:
            raise CommandError(
                f"{summary.bad} bad rows: nothing {'would be' if dry_run else 'was'} imported "
                "(correct them, or use --good-rows-only)."
            )

    def _mapping(self, headers: list[str], pairs: list[str]) -> list[str]:
        mapping = importing.guess_mapping(headers)
        for pair in pairs:
            header, sep, target = pair.partition("=")
            if not sep:
                raise CommandError(f"--map takes HEADER=FIELD, not {pair!r}.")
            matches = [i for i, h in enumerate(headers) if h == header.strip()]
            if not matches:
                raise CommandError(
                    f"No column headed {header.strip()!r}; the columns are: {', '.join(headers)}."
                )
            target = target.strip()
            if target and target not in importing.TARGETS:
                raise CommandError(
                    f"Unknown field {target!r}; the fields are: {', '.join(importing.TARGETS)}."
                )
            for i, current in enumerate(mapping):  # a field comes from one column: the one named here
                if current == target and target:
                    mapping[i] = ""
            mapping[matches[0]] = target
        return mapping

    def _report(self, summary: importing.Summary, bad_rows: Path) -> None:
        write = self.stdout.write
        write("Columns: " + "; ".join(f"{h or '?'} → {t or '(ignored)'}" for h, t in summary.columns))
        write(
            f"Rows: {summary.rows}; new: {summary.new}; changed: {summary.updated}; "
            f"unchanged: {summary.unchanged}; bad: {summary.bad}; possible duplicates: {summary.duplicates}"
        )
        if summary.new_villages:
            write("New villages: " + ", ".join(summary.new_villages))
        if summary.bad:
            with open(bad_rows, encoding="utf-8-sig", newline="") as handle:
                rows = csv.reader(handle)
                next(rows, None)
                for line, column, value, reason in rows:
                    shown = f" ({value})" if value else ""
                    write(f"line {line}, column {column}{shown}: {reason}")
