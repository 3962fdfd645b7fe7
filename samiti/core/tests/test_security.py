"""Passwords, lockout, content-security policy and cookies under the real settings."""

import importlib.util
import secrets
import types

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model

from samiti.registry import testing

PASSWORD = "correct horse battery"  # what testing.staff() sets


def load_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> types.ModuleType:
    """Execute samiti/settings.py afresh under `env`, apart from the settings Django is using."""
    for name in ("DEBUG", "DEMO_MODE", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = django_settings.BASE_DIR / "samiti" / "settings.py"
    spec = importlib.util.spec_from_file_location("samiti_settings_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def production_settings(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    return load_settings(
        monkeypatch, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="example.org"
    )


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_settings(monkeypatch, DEBUG="0")


def test_production_cookies_are_secure_and_https_is_enforced(monkeypatch):
    prod = production_settings(monkeypatch)
    assert prod.DEBUG is False
    assert prod.SESSION_COOKIE_SECURE is True
    assert prod.CSRF_COOKIE_SECURE is True
    assert prod.SESSION_COOKIE_HTTPONLY is True
    assert prod.SECURE_SSL_REDIRECT is True
    assert prod.SECURE_HSTS_SECONDS >= 365 * 24 * 3600
    assert prod.ALLOWED_HOSTS == ["example.org"]


@pytest.mark.django_db
def test_the_session_cookie_is_sent_secure_under_production_cookie_settings(client, settings, monkeypatch):
    prod = production_settings(monkeypatch)
    settings.SESSION_COOKIE_SECURE = prod.SESSION_COOKIE_SECURE
    settings.CSRF_COOKIE_SECURE = prod.CSRF_COOKIE_SECURE
    user = testing.staff()

    response = client.post("/login/", {"username": user.username, "password": PASSWORD}, secure=True)

    assert response.status_code == 302, response.content[:500]
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2_under_the_real_settings(settings, monkeypatch):
    # conftest.py swaps in MD5 for speed; put back what samiti/settings.py says.
    settings.PASSWORD_HASHERS = load_settings(monkeypatch, DEBUG="1").PASSWORD_HASHERS
    user = get_user_model().objects.create_user(username="hashed", password="a long passphrase 123")

    user.refresh_from_db()

    assert user.password.startswith("argon2$")
    assert user.check_password("a long passphrase 123")


@pytest.mark.django_db
def test_five_failed_logins_lock_the_account_even_against_the_right_password(client, settings):
    user = testing.staff()
    assert settings.AXES_FAILURE_LIMIT == 5

    for attempt in range(1, 5):
        response = client.post("/login/", {"username": user.username, "password": f"wrong {attempt}"})
        assert response.status_code == 200, f"attempt {attempt} should show the form again"
        assert "_auth_user_id" not in client.session
    response = client.post("/login/", {"username": user.username, "password": "wrong 5"})
    assert response.status_code in (403, 429)

    response = client.post("/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert "Too many failed logins" in response.content.decode()


@pytest.mark.django_db
def test_the_right_password_logs_in_before_any_lockout(client):
    user = testing.staff()

    response = client.post("/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy(client):
    response = client.get("/login/")

    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
