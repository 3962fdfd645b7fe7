"""The Bengali translation is complete, and the compiled catalogue matches its source."""

import ast
import gettext
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

PACKAGE = Path(django_settings.BASE_DIR) / "samiti"
PO_FILE = PACKAGE / "locale" / "bn" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def require_gettext() -> None:
    missing = [tool for tool in ("xgettext", "msgfmt", "msgmerge") if shutil.which(tool) is None]
    if missing:
        reason = f"GNU gettext is not installed (missing {', '.join(missing)}): apt-get install gettext"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    def label(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def parse_po(text: str) -> list[Entry]:
    """Read the entries of a .po file (obsolete `#~` entries are left out)."""
    entries: list[Entry] = []
    entry = Entry()
    key: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, key
        if key is not None:
            entries.append(entry)
        entry, key = Entry(), None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if key is not None and key[0] == "msgstr":
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            if key is not None and key[0] == "msgstr":
                finish()
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            name, index = key
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
        else:
            word, _, rest = line.partition(" ")
            value = ast.literal_eval(rest.strip())
            if word in ("msgctxt", "msgid") and key is not None and key[0] == "msgstr":
                finish()
            if word.startswith("msgstr"):
                index = int(word[7:-1]) if word.startswith("msgstr[") else 0
                entry.msgstr[index] = value
                key = ("msgstr", index)
            else:
                if word == "msgid":
                    entry.line = number
                setattr(
                    entry,
                    {"msgctxt": "msgctxt", "msgid": "msgid", "msgid_plural": "msgid_plural"}[word],
                    value,
                )
                key = (word, 0)
    finish()
    return entries


def problems(entries: list[Entry]) -> list[str]:
    """Entries that are untranslated or fuzzy, described for a person to fix."""
    found = []
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            continue  # the header
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy        {entry.label()}")
        elif not entry.msgstr or any(not text for text in entry.msgstr.values()):
            found.append(f"untranslated {entry.label()}")
    return found


def test_the_po_parser_sees_untranslated_fuzzy_and_plural_entries():
    text = (
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#: a.py\nmsgid "Done"\nmsgstr "সম্পন্ন"\n\n'
        '#: a.py\nmsgid ""\n"Two "\n"lines"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "%(n)s members"\nmsgstr "%(n)s জন সদস্য"\n\n'
        'msgctxt "menu"\nmsgid "one"\nmsgid_plural "many"\nmsgstr[0] "এক"\nmsgstr[1] ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr ""\n'
    )
    assert problems(parse_po(text)) == [
        "untranslated line 10: 'Two lines'",
        "fuzzy        line 16: '%(n)s members'",
        "untranslated line 20: 'one' (context 'menu')",
    ]


def test_every_string_in_the_code_has_a_bengali_translation(tmp_path, settings, monkeypatch):
    """Run makemessages over a copy of the package, so new strings count and the tree is untouched."""
    require_gettext()
    copy = tmp_path / "samiti"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "static", "*.sqlite3*")
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)

    call_command("makemessages", locale=["bn"], no_obsolete=True, verbosity=0)

    refreshed = copy / "locale" / "bn" / "LC_MESSAGES" / "django.po"
    found = problems(parse_po(refreshed.read_text(encoding="utf-8")))
    assert not found, (
        f"{len(found)} Bengali translations are missing or fuzzy. Run `make messages`, translate them "
        f"in {PO_FILE.relative_to(django_settings.BASE_DIR)} (line numbers below are of the refreshed "
        "file), then `make messages` again to compile:\n" + "\n".join(found)
    )


def test_the_committed_mo_file_is_compiled_from_the_current_po_file(tmp_path):
    require_gettext()
    assert PO_FILE.exists(), f"{PO_FILE} is missing: run `make messages`"
    assert MO_FILE.exists(), f"{MO_FILE} is missing: run `make messages` and commit it"
    fresh = tmp_path / "django.mo"

    msgfmt = shutil.which("msgfmt")
    result = subprocess.run(  # noqa: S603 - our own tool on our own file
        [msgfmt, "--check-format", "-o", str(fresh), str(PO_FILE)], capture_output=True, text=True
    )

    assert result.returncode == 0, f"msgfmt rejects {PO_FILE}:\n{result.stderr}"
    with MO_FILE.open("rb") as committed, fresh.open("rb") as compiled:
        committed_catalog = gettext.GNUTranslations(committed)._catalog
        compiled_catalog = gettext.GNUTranslations(compiled)._catalog
    stale = sorted(str(key) for key in committed_catalog.keys() ^ compiled_catalog.keys()) + sorted(
        str(key)
        for key in committed_catalog.keys() & compiled_catalog.keys()
        if committed_catalog[key] != compiled_catalog[key]
    )
    assert not stale, (
        f"{MO_FILE.name} is out of date with {PO_FILE.name}: run `make messages`. Differs: {stale[:20]}"
    )
