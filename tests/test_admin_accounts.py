"""Back office: accounts, customers, rep assignments (admin only)."""

from core.models import Customer


def test_only_admin_manages_accounts(client, make_user):
    make_user("boss", "admin")
    make_user("dealer9")
    make_user("clerk", "support")
    dealer = client.login("dealer9")
    assert dealer.get("admin/users").status_code == 403
    assert (
        client.login("clerk")
        .post("admin/users", {"username": "x1", "password": "p" * 8, "role": "rep"})
        .status_code
        == 403
    )
    admin = client.login("boss")
    created = admin.post(
        "admin/users", {"username": "rep7", "password": "long-enough", "role": "rep", "display_name": "小王"}
    )
    assert created.status_code == 201
    assert created.json["role"] == "rep" and created.json["display_name"] == "小王"
    assert client.login("rep7", "long-enough").user["role"] == "rep"
    again = admin.post("admin/users", {"username": "rep7", "password": "long-enough", "role": "rep"})
    assert again.status_code == 409 and again.json["error"]["code"] == "username_taken"


def test_account_validation_names_each_field(client, make_user):
    make_user("boss", "admin")
    admin = client.login("boss")
    result = admin.post(
        "admin/users", {"username": "a b", "password": "short", "role": "king", "customer_id": "1"}
    )
    assert result.status_code == 400
    assert set(result.json["error"]["details"]) == {"username", "password", "role", "customer_id"}
    dealer_without_customer = admin.post(
        "admin/users", {"username": "d1", "password": "long-enough", "role": "dealer"}
    )
    assert dealer_without_customer.status_code == 400
    assert "customer" in dealer_without_customer.json["error"]["details"]


def test_disabling_an_account_ends_its_sessions(client, make_user):
    make_user("boss", "admin")
    dealer_user = make_user("dealer9")
    dealer = client.login("dealer9")
    admin = client.login("boss")
    assert admin.patch(f"admin/users/{dealer_user.id}", {"active": False}).json["active"] is False
    assert dealer.get("me").status_code == 401
    assert client.post("auth/login", {"username": "dealer9", "password": "secret-pass-1"}).status_code == 403
    me = admin.get("me").json
    assert admin.patch(f"admin/users/{me['id']}", {"active": False}).status_code == 409


def test_rep_assignments_are_replaced_and_bound_what_a_rep_can_choose(client, make_user, app):
    make_user("boss", "admin")
    rep_user = make_user("rep9", "rep")
    with app.ctx.activate():
        first = Customer.create(code="K1", name="一号家居")
        second = Customer.create(code="K2", name="二号家居")
    admin = client.login("boss")
    result = admin.put(
        f"admin/users/{rep_user.id}/customers", {"customer_ids": [second.id, first.id, first.id]}
    )
    assert [c["code"] for c in result.json["customers"]] == ["K1", "K2"]
    rep = client.login("rep9")
    assert [c["code"] for c in rep.get("me").json["customers"]] == ["K1", "K2"]
    assert rep.put("me/customer", {"customer_id": second.id}).status_code == 200
    admin.put(f"admin/users/{rep_user.id}/customers", {"customer_ids": [first.id]})
    # the rep no longer acts for a customer taken away from them
    assert rep.get("me").json["acting_customer_id"] is None
    assert rep.put("me/customer", {"customer_id": second.id}).status_code == 403
    bad = admin.put(f"admin/users/{rep_user.id}/customers", {"customer_ids": [999999]})
    assert bad.status_code == 400
    assert [c["code"] for c in admin.get(f"admin/users/{rep_user.id}/customers").json["customers"]] == ["K1"]


def test_admin_pages_need_staff(client, make_user):
    make_user("boss", "admin")
    make_user("dealer9")
    html = {"Accept": "text/html"}
    anonymous = client.get("/admin", headers=html)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert client.login("dealer9").get("/admin", headers=html).status_code == 303
    page = client.login("boss").get("/admin/users", headers=html)
    assert page.status_code == 200
    assert "boss" in page.text and "账号" in page.text
