"""Uploaded files waiting under MEDIA_ROOT/imports/<key>/ for their preview and the user's decision."""

import json
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samiti.registry.importing.columns import check_mapping, guess_mapping
from samiti.registry.importing.files import ImportFileError, open_table
from samiti.registry.importing.pipeline import run_import
from samiti.registry.importing.rows import Summary
from samiti.registry.models import User

STALE_LOCK_SECONDS = 3600


@dataclass
class Upload:
    """An uploaded file under MEDIA_ROOT/imports/<key>/: the file, its mapping and its summaries."""

    key: str
    user_id: int
    filename: str
    headers: list[str]
    mapping: list[str]
    uploaded_at: str

    @property
    def directory(self) -> Path:
        return imports_root() / self.key

    @property
    def path(self) -> Path:
        return self.directory / "upload"

    @property
    def bad_rows_path(self) -> Path:
        return self.directory / "bad_rows.csv"

    def save(self) -> None:
        (self.directory / "upload.json").write_text(json.dumps(asdict(self), ensure_ascii=False))

    def summary(self, name: str) -> Summary | None:
        path = self.directory / f"{name}.json"
        return Summary.from_json(path.read_text()) if path.exists() else None


def imports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def save_upload(*, user: User, filename: str, chunks: Iterator[bytes]) -> Upload:
    """Keep an uploaded file and guess its column mapping; raise ImportFileError if unreadable."""
    key = uuid.uuid4().hex
    directory = imports_root() / key
    directory.mkdir(parents=True)
    try:
        with open(directory / "upload", "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        with open_table(directory / "upload") as table:
            headers = table.headers
        if not any(headers):
            raise ImportFileError(_("The first row must name the columns."))
    except ImportFileError:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    upload = Upload(
        key=key,
        user_id=user.pk,
        filename=Path(filename).name[:200],
        headers=headers,
        mapping=guess_mapping(headers),
        uploaded_at=timezone.now().isoformat(),
    )
    upload.save()
    return upload


def load_upload(*, key: str, user: User) -> Upload | None:
    """The upload with this key, if `user` made it (nobody else may see or import it)."""
    if not re.fullmatch(r"[0-9a-f]{32}", key):
        return None
    path = imports_root() / key / "upload.json"
    if not path.exists():
        return None
    upload = Upload(**json.loads(path.read_text()))
    return upload if upload.user_id == user.pk else None


def preview_upload(*, upload: Upload, user: User, mapping: list[str] | None = None) -> Summary:
    if mapping is not None:
        check_mapping(mapping)
        upload.mapping = mapping
        upload.save()
    summary = run_import(
        path=upload.path, mapping=upload.mapping, user=user, bad_rows_path=upload.bad_rows_path
    )
    (upload.directory / "preview.json").write_text(summary.to_json())
    return summary


def apply_upload(*, upload: Upload, user: User, good_rows_only: bool) -> Summary:
    """Import an upload once; a second request (a double click) gets the first one's result."""
    done = upload.summary("result")
    if done is not None:
        return done
    lock = upload.directory / "importing"
    if lock.exists() and time.time() - lock.stat().st_mtime > STALE_LOCK_SECONDS:
        lock.unlink(missing_ok=True)  # left by a process that died; its transaction rolled back
    try:
        lock.touch(exist_ok=False)
    except FileExistsError:
        raise ImportFileError(_("This file is being imported already.")) from None
    try:
        summary = run_import(
            path=upload.path,
            mapping=upload.mapping,
            user=user,
            apply=True,
            good_rows_only=good_rows_only,
            bad_rows_path=upload.bad_rows_path,
        )
        if summary.applied:
            (upload.directory / "result.json").write_text(summary.to_json())
            upload.path.unlink(missing_ok=True)  # the register now holds it; keep no second copy
        else:
            (upload.directory / "attempt.json").write_text(summary.to_json())
    finally:
        lock.unlink(missing_ok=True)
    return summary
