"""The account page: the account's facts, its API tokens, and changing the password."""

import re

import pytest
from django.conf import settings
from django.test import Client

from samiti.registry import services, testing
from samiti.registry.models import ApiToken, Role

pytestmark = pytest.mark.django_db

KEY = re.compile(r"smt_[A-Za-z0-9_-]{20,}")


@pytest.fixture
def leader(client):
    group = testing.group()
    user = testing.staff(Role.GROUP_LEADER, organisation=group, username="shirin", language="bn")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # she reads in English today, by the button
    return user


def test_the_account_page_needs_a_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_account_page_shows_the_username_role_scope_and_language(client, leader):
    response = client.get("/account/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "shirin" in page
    assert "group leader" in page
    assert str(leader.organisation) in page
    assert "Bengali" in page
    assert 'href="/account/password/"' in page


def test_the_account_page_lists_the_accounts_own_tokens_only(client, leader):
    services.issue_api_token(user=leader, name="Kobo sync")
    revoked, _key = services.issue_api_token(user=leader, name="old laptop")
    services.revoke_api_token(user=leader, token=revoked)
    other, _key = services.issue_api_token(user=testing.staff(), name="someone else's")
    page = client.get("/account/").content.decode()
    assert "Kobo sync" in page
    assert "old laptop" in page
    assert "revoked" in page
    assert "someone else" not in page
    assert other.prefix not in page
    # only the active token offers a revoke button
    assert page.count("/revoke/") == 1


def test_creating_a_token_shows_its_key_once_and_the_key_works(client, leader):
    response = client.post("/account/tokens/", {"name": "Field tablet"})
    assert response.status_code == 200
    keys = KEY.findall(response.content.decode())
    assert len(set(keys)) == 1
    key = keys[0]
    assert response["Cache-Control"].startswith("max-age=0")
    token = ApiToken.objects.get(user=leader)
    assert (token.name, token.prefix) == ("Field tablet", key[:8])
    assert key not in token.key_hash
    assert key not in client.get("/account/").content.decode()
    assert Client().get("/api/members", headers={"Authorization": f"Bearer {key}"}).status_code == 200


def test_revoking_a_token_from_the_account_page_makes_the_api_answer_401(client, leader):
    token, key = services.issue_api_token(user=leader)
    api = Client()
    assert api.get("/api/members", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/members", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_another_accounts_token_cannot_be_revoked_from_the_account_page(client, leader):
    token, _key = services.issue_api_token(user=testing.staff())
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_buttons_need_a_post_with_a_csrf_token(leader):
    token, _key = services.issue_api_token(user=leader)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(leader)
    assert browser.get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    assert browser.post(f"/account/tokens/{token.pk}/revoke/").status_code == 403
    assert browser.post("/account/tokens/", {"name": "x"}).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.filter(user=leader).count() == 1


def test_a_token_name_that_is_too_long_is_refused_with_the_form_error(client, leader):
    response = client.post("/account/tokens/", {"name": "x" * 101})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    assert not KEY.search(response.content.decode())


def test_the_password_is_changed_from_the_account_page(client, leader):
    assert client.get("/account/password/").status_code == 200
    response = client.post(
        "/account/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": "jute harvest 2025 padma",
            "new_password2": "jute harvest 2025 padma",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/password/done/"
    assert client.get(response["Location"]).status_code == 200
    leader.refresh_from_db()
    assert leader.check_password("jute harvest 2025 padma")


def test_a_wrong_old_password_changes_nothing(client, leader):
    response = client.post(
        "/account/password/",
        {"old_password": "wrong", "new_password1": "jute harvest 2025", "new_password2": "jute harvest 2025"},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    leader.refresh_from_db()
    assert leader.check_password("correct horse battery")


@pytest.mark.parametrize("url", ["/account/", "/account/password/", "/account/password/done/"])
def test_account_pages_carry_no_inline_script_or_style(client, leader, url):
    page = client.get(url).content.decode()
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_the_account_page_reads_in_bengali(client, leader):
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]  # no button pressed: her own language applies
    response = client.get("/account/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response["Content-Language"] == "bn"
