"""The production configuration passes Django's deployment checklist."""

import os
import secrets
import subprocess
import sys

from django.conf import settings


def production_env() -> dict[str, str]:
    """The environment of a production server: only what the README asks an operator to set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DEBUG", "DEMO_MODE", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "DATABASE_URL"}
    }
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="example.org")
    return env


def test_check_deploy_finds_no_issues_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
