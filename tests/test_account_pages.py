"""Log in, "Me" and the back office: every class their templates use is styled,
the login page has no tab bar, the pager and the dashboard read clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from web import STATIC_DIR

TEMPLATES = Path(__file__).resolve().parent.parent / "core" / "templates"
HTML = {"Accept": "text/html"}


def used_classes(template: Path) -> set[str]:
    """Class names written literally in a template (not built from values)."""
    names = set()
    for value in re.findall(r'class="([^"]*)"', template.read_text("utf-8")):
        value = re.sub(r"{{.*?}}|{%.*?%}", " ", value)
        # "me__avatar--{{ n }}" leaves "me__avatar--": a family of classes, checked by hand
        names |= {name for name in value.split() if re.fullmatch(r"[a-z][\w-]*[a-z0-9]", name)}
    return names


def defined_classes(*sheets: str) -> set[str]:
    css = "".join((STATIC_DIR / sheet).read_text("utf-8") for sheet in sheets)
    return set(re.findall(r"\.([a-z][\w-]*)", css))


@pytest.mark.parametrize(
    ("template", "sheets"),
    [
        ("login.html", ("app.css", "account.css")),
        ("me.html", ("app.css", "account.css")),
        ("admin/dashboard.html", ("app.css", "admin.css")),
        ("admin/users.html", ("app.css", "admin.css")),
        ("admin/customers.html", ("app.css", "admin.css")),
    ],
)
def test_every_class_of_the_page_is_styled(template, sheets):
    missing = used_classes(TEMPLATES / template) - defined_classes(*sheets)
    assert missing == set()


def test_the_login_page_has_no_tab_bar_and_its_own_styles(client):
    html = client.get("/login", headers=HTML).text
    assert 'class="tabbar' not in html and "has-tabbar" not in html
    assert "/static/web/account.css?v=" in html
    assert '<h2 class="login__heading">账号登录</h2>' in html
    assert 'href="/login?lang=en&amp;next=/" lang="en">English</a>' in html


def test_a_wrong_password_is_shown_on_the_card(client, make_user):
    make_user("dealer5")
    answer = client.post(
        "/login",
        raw="username=dealer5&password=nope&next=%2F",
        headers={**HTML, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 401
    assert 'class="notice notice--error login__error" role="alert"' in answer.text
    assert 'value="dealer5"' in answer.text


def named(app, user, display_name: str) -> None:
    from core.models import User

    with app.ctx.activate():
        User.update(display_name=display_name).where(User.id == user.id).execute()


def test_me_shows_the_initial_role_and_customer(app, client, make_user):
    named(app, make_user("dealer5"), "陈志强")
    html = client.login("dealer5").get("/me", headers=HTML).text
    assert re.search(r'<div class="me__avatar me__avatar--\d" aria-hidden="true">陈</div>', html)
    assert '<span class="tag">经销商</span><span><span class="lead-in">账号：</span>dealer5</span>' in html
    assert "预存余额" in html and "信用额度" in html


def test_a_reps_initial_is_the_persons_not_the_title(app, client, make_user):
    named(app, make_user("rep5", "rep"), "业务员-赵明")
    html = client.login("rep5").get("/me", headers=HTML).text
    assert re.search(r'me__avatar--\d" aria-hidden="true">赵</div>', html)
    assert "暂无分配的客户" in html


def test_the_accounts_pager_reads_page_x_of_y(client, make_user):
    make_user("admin5", "admin")
    html = client.login("admin5").get("/admin/users", headers=HTML).text
    assert '<span class="pager__total">共 1 个账号</span>' in html
    assert '<span class="pager__page">第 1/1 页</span>' in html
    assert html.count('aria-disabled="true"') == 2


def test_the_dashboard_shows_its_figures_as_cards(client, make_user):
    make_user("admin5", "admin")
    make_user("dealer5")
    html = client.login("admin5").get("/admin", headers=HTML).text
    assert re.search(
        r'<a class="stat stat--green" href="/admin/users\?role=dealer">.*?'
        r'<span class="stat__label">经销商账号</span><span class="stat__n">1</span>',
        html,
        re.S,
    )
