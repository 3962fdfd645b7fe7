"""Import members from the CSV and XLSX files field teams produce: map columns, preview, apply.

One pipeline serves the preview and the import, so what the preview promises is what the import
does. It streams: rows are read one at a time and handled in batches with a fixed number of
queries per batch, and what earlier rows of the file claimed (member numbers, national IDs,
phones, names) is kept in a private temporary SQLite file, so memory stays flat however long
the file is. The web pages and `manage.py import_members` both call `run_import`.
"""

from samiti.registry.importing.columns import (
    LABELS,
    SENSITIVE_COLUMNS,
    TARGETS,
    TEMPLATE_COLUMNS,
    check_mapping,
    guess_mapping,
)
from samiti.registry.importing.files import ImportFileError, Table, open_table
from samiti.registry.importing.pipeline import run_import
from samiti.registry.importing.rows import Summary
from samiti.registry.importing.uploads import (
    Upload,
    apply_upload,
    imports_root,
    load_upload,
    preview_upload,
    save_upload,
)
from samiti.registry.importing.values import parse_date, parse_national_id, parse_phone

__all__ = [
    "LABELS",
    "SENSITIVE_COLUMNS",
    "TARGETS",
    "TEMPLATE_COLUMNS",
    "ImportFileError",
    "Summary",
    "Table",
    "Upload",
    "apply_upload",
    "check_mapping",
    "guess_mapping",
    "imports_root",
    "load_upload",
    "open_table",
    "parse_date",
    "parse_national_id",
    "parse_phone",
    "preview_upload",
    "run_import",
    "save_upload",
]
