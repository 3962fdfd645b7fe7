"""An account's own language applies until the browser picks another with the language button."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from samiti.registry import testing

pytestmark = pytest.mark.django_db


def _page_language(client: Client) -> str:
    html = client.get(reverse("results:reach")).content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_bengali_speaking_account_opens_in_bengali_until_the_button_says_otherwise():
    client = Client()
    client.force_login(testing.staff(language="bn"))
    assert _page_language(client) == "bn"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert _page_language(client) == "en"


def test_an_english_account_and_an_anonymous_visitor_keep_english():
    client = Client()
    client.force_login(testing.staff(language="en"))
    assert _page_language(client) == "en"
    assert 'lang="en"' in Client().get(reverse("login")).content.decode()
