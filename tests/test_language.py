"""Which language a request is answered in: Vietnamese unless the user chooses English."""

import pytest

pytestmark = pytest.mark.db


def test_pages_speak_vietnamese_to_an_english_browser(client):
    page = client.get("/auth/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert page.status_code == 200
    assert "Đăng nhập" in page.get_data(as_text=True)


def test_english_is_chosen_with_lang_and_remembered(client):
    assert "Log in" in client.get("/auth/login?lang=en").get_data(as_text=True)
    assert "Log in" in client.get("/auth/login").get_data(as_text=True)
    assert "Đăng nhập" in client.get("/auth/login?lang=vi").get_data(as_text=True)
    assert "Đăng nhập" in client.get("/auth/login").get_data(as_text=True)


def test_an_unknown_language_keeps_vietnamese(client):
    assert "Đăng nhập" in client.get("/auth/login?lang=fr").get_data(as_text=True)
