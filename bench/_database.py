"""A fresh database of a benchmark's own: never the test suite's or the development one."""

from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def fresh_database(postgres_url: str | None, sqlite_name: str) -> str:
    """Drop and make the PostgreSQL database named in `postgres_url`, or delete the SQLite file
    `bench/out/<sqlite_name>` (with its WAL); return the database's URL."""
    if postgres_url:
        import psycopg

        name = postgres_url.rsplit("/", 1)[1].split("?")[0]
        with psycopg.connect(postgres_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        return postgres_url
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / sqlite_name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"
