"""Login, tokens, cookies with CSRF, throttling, rep customer choice."""

from core.models import Customer


def test_login_returns_token_and_user(client, make_user):
    user = make_user("dealer9")
    result = client.post("auth/login", {"username": "dealer9", "password": "secret-pass-1"})
    assert result.status_code == 200
    assert result.json["user"] == {
        "id": user.id,
        "username": "dealer9",
        "display_name": "dealer9",
        "role": "dealer",
        "customer_id": user.customer_id,
    }
    assert "ydt_session" in result.cookies
    assert result.cookies["ydt_session"].http_only
    me = client.login("dealer9").get("me").json
    assert me["customer"]["id"] == user.customer_id
    assert me["customer"]["code"].startswith("T")


def test_wrong_password_is_401_in_error_format(client, make_user):
    make_user("dealer9")
    result = client.post("auth/login", {"username": "dealer9", "password": "nope"})
    assert result.status_code == 401
    assert result.json["error"]["code"] == "invalid_credentials"
    assert result.json["error"]["message"] == "用户名或密码错误。"
    english = client.post(
        "auth/login", {"username": "dealer9", "password": "nope"}, headers={"Accept-Language": "en"}
    )
    assert english.json["error"]["message"] == "Wrong username or password."


def test_login_is_throttled_after_repeated_failures(client, make_user):
    make_user("dealer9")
    codes = [
        client.post("auth/login", {"username": "dealer9", "password": "bad"}).status_code for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    # even the right password is refused while throttled
    assert client.post("auth/login", {"username": "dealer9", "password": "secret-pass-1"}).status_code == 429


def test_malformed_login_bodies_are_400(client):
    assert client.post("auth/login", raw="{not json").json["error"]["code"] == "invalid_json"
    result = client.post("auth/login", {"username": 5, "password": "x", "extra": 1})
    assert result.status_code == 400
    assert set(result.json["error"]["details"]) == {"username", "extra"}
    assert client.post("auth/login", raw="[1,2]").status_code == 400


def test_anonymous_gets_401_and_unknown_path_404(client):
    assert client.get("me").status_code == 401
    result = client.get("nowhere")
    assert result.status_code == 404
    assert result.json["error"]["code"] == "not_found"


def test_cookie_session_needs_csrf_for_unsafe_methods(client, make_user):
    rep = make_user("rep9", "rep")
    with client.app.ctx.activate():
        customer = Customer.create(code="C9", name="某家居")
        from core.models import RepAssignment

        RepAssignment.create(rep=rep, customer=customer)
    login = client.post("auth/login", {"username": "rep9", "password": "secret-pass-1"})
    cookie = f"ydt_session={login.cookies['ydt_session'].value}"
    no_csrf = client.put("me/customer", {"customer_id": customer.id}, headers={"Cookie": cookie})
    assert no_csrf.status_code == 403
    assert no_csrf.json["error"]["code"] == "csrf_failed"
    ok = client.put(
        "me/customer",
        {"customer_id": customer.id},
        headers={"Cookie": cookie, "X-CSRF-Token": login.json["csrf_token"]},
    )
    assert ok.status_code == 200
    assert ok.json["acting_customer_id"] == customer.id


def test_rep_cannot_choose_unassigned_customer(client, make_user):
    make_user("rep9", "rep")
    other = make_user("dealer8")
    rep = client.login("rep9")
    result = rep.put("me/customer", {"customer_id": other.customer_id})
    assert result.status_code == 403
    assert result.json["error"]["code"] == "not_assigned"
    assert rep.get("me").json["acting_customer_id"] is None


def test_logout_ends_the_token(client, make_user):
    make_user("dealer9")
    dealer = client.login("dealer9")
    assert dealer.post("auth/logout").status_code == 200
    assert dealer.get("me").status_code == 401


def test_openapi_lists_the_contract(client):
    doc = client.get("openapi.json").json
    assert doc["openapi"].startswith("3.")
    login = doc["paths"]["/api/v1/auth/login"]["post"]
    assert "requestBody" in login
    assert "/api/v1/me/customer" in doc["paths"]


def test_text_answers_are_gzipped_for_clients_that_accept_it(client):
    import gzip
    import json

    plain = client.get("openapi.json")
    zipped = client.get("openapi.json", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert len(zipped.content) < len(plain.content) / 3
    assert json.loads(gzip.decompress(zipped.content)) == plain.json
    assert "content-encoding" not in plain.headers
