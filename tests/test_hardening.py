"""Hostile input at the edges: encodings, sizes, media types, parallel guessing."""

import threading
from collections import Counter

from core.http import MAX_JSON_BYTES
from core.models import LoginAttempt


def test_lone_surrogates_are_refused_not_a_500(client):
    result = client.post("auth/login", raw='{"username": "\\ud800", "password": "x"}')
    assert result.status_code == 400
    assert result.json["error"]["code"] == "invalid_json"
    key = client.post("auth/login", raw='{"\\udfff": 1}')
    assert key.status_code == 400


def test_oversized_json_is_413_before_it_is_parsed(client):
    body = '{"username": "' + "a" * (MAX_JSON_BYTES + 10) + '", "password": "x"}'
    result = client.post("auth/login", raw=body)
    assert result.status_code == 413
    assert result.json["error"]["code"] == "payload_too_large"


def test_uploads_over_the_limit_are_413(client, app):
    limit = app.ctx.settings.max_upload_bytes
    result = client.request("POST", "/login", raw=b"x" * (limit + 1), headers={"Content-Type": "text/plain"})
    assert result.status_code == 413


def test_api_bodies_must_be_json(client, make_user):
    make_user("dealer9")
    # a cross-site form could post text/plain; it must not log anyone in
    result = client.post(
        "auth/login",
        raw='{"username": "dealer9", "password": "secret-pass-1"}',
        headers={"Content-Type": "text/plain"},
    )
    assert result.status_code == 415
    assert result.json["error"]["code"] == "unsupported_media_type"
    assert "ydt_session" not in result.cookies


def test_parallel_password_guesses_count_against_each_other(client, make_user, app):
    make_user("dealer9")
    codes: list[int] = []
    lock = threading.Lock()

    def guess():
        status = client.post("auth/login", {"username": "dealer9", "password": "wrong"}).status_code
        with lock:
            codes.append(status)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = Counter(codes)
    assert counts[401] <= app.ctx.settings.login_max_failures
    assert counts[429] >= 12 - app.ctx.settings.login_max_failures
    with app.ctx.activate():
        assert LoginAttempt.select().where(LoginAttempt.username == "dealer9").count() <= 6


def test_validation_messages_with_numbers_are_translated(client):
    result = client.post("auth/login", {"username": "", "password": "x"})
    assert result.json["error"]["details"]["username"] == ["长度须在 1 到 64 之间。"]
    english = client.post("auth/login", {"username": "", "password": "x"}, headers={"Accept-Language": "en"})
    assert english.json["error"]["details"]["username"] == ["Length must be between 1 and 64."]


def test_nul_characters_are_refused_not_a_500(client, make_user, app):
    """PostgreSQL cannot store or compare NUL: refused on every database, naming the field."""
    make_user("dealer9")
    for raw, field in (
        ('{"username": "a\\u0000", "password": "x"}', "username"),
        ('{"username": "dealer9", "password": "x\\u0000"}', "password"),
    ):
        result = client.post("auth/login", raw=raw)
        assert result.status_code == 400, raw
        assert field in result.json["error"]["details"]
    with app.ctx.activate():
        assert LoginAttempt.select().count() == 0  # nothing was recorded
    # A literal backslash-u in text is fine.
    assert client.post("auth/login", raw='{"username": "a\\\\u0000", "password": "x"}').status_code == 401
    for path in ("/api/v1/orders/SO%00", "/api/v1/products/%00", "/api/v1/categories/%00"):
        result = client.request("GET", path)
        assert result.status_code == 404, (path, result.status_code)
        assert result.json["error"]["code"] == "not_found"
    for path in ("/api/v1/products?q=%00", "/login?next=%00"):
        assert client.request("GET", path).status_code < 500, path
    form = client.request(
        "POST",
        "/login",
        raw="username=a%00&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 401


def test_a_nul_character_in_a_page_address_is_a_404_page(client):
    for path in ("/orders/%00", "/%00", "/products/%00"):
        result = client.request("GET", path, headers={"Accept": "text/html"})
        assert result.status_code == 404, (path, result.status_code)
        assert "text/html" in result.headers["content-type"]
    for path in ("/login?next=%00", "/products?q=%00"):
        result = client.request("GET", path, headers={"Accept": "text/html"})
        assert result.status_code < 500, (path, result.status_code)
