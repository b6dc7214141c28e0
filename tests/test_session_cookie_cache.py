"""Sessions whose cookie signature is checked once per process (CachedCookieSessionInterface):
the same answers as Flask's own interface, for good, forged, expired and mutable cookies."""

import time

from flask import session

from contest.auth.sessions import CachedCookieSessionInterface
from tests.helpers import make_user


def cookie_of(client, app) -> str:
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def test_a_logged_in_cookie_is_read_again_and_again(app, api, db_session):
    user = make_user()
    api.login(user)
    for _ in range(3):
        assert api.get("/session").get_json()["user"]["id"] == user.id


def test_a_forged_cookie_is_an_empty_session(app, api, db_session):
    api.login(make_user())
    cookie = cookie_of(api.client, app)
    api.client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie[:-2] + "xx")
    assert api.get("/session").get_json()["user"] is None


def test_an_expired_cookie_is_refused_even_once_cached(app, api, db_session, monkeypatch):
    api.login(make_user())
    assert api.get("/session").get_json()["user"] is not None  # now cached
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert api.get("/session").get_json()["user"] is None


def test_a_cookie_with_mutable_values_is_never_shared(app):
    interface = CachedCookieSessionInterface()
    with app.test_request_context():
        session["_flashes"] = [("info", "one")]
        session["_user_id"] = "1:0"
        cookie = interface.get_signing_serializer(app).dumps(dict(session))
    keys = (app.secret_key,)
    assert interface._decoded(keys, cookie) is None  # decoded afresh on every request
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}) as context:
        opened = interface.open_session(app, context.request)
        assert opened["_flashes"] == [("info", "one")]


def test_a_cookie_signed_with_a_retired_key_still_opens(app, db_session):
    interface = CachedCookieSessionInterface()
    old = app.secret_key
    with app.test_request_context():
        cookie = interface.get_signing_serializer(app).dumps({"_user_id": "7:0"})
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    app.secret_key = app.config["SECRET_KEY"] = old + "-new"
    try:
        with app.test_request_context(headers={"Cookie": f"session={cookie}"}) as context:
            assert interface.open_session(app, context.request)["_user_id"] == "7:0"
    finally:
        app.secret_key = app.config["SECRET_KEY"] = old
        app.config["SECRET_KEY_FALLBACKS"] = []
