"""The core's own hook implementations: users, sessions, errors, OpenAPI.

The core is loaded as the first plugin and contributes through the same
hooks as every other plugin.
"""

from __future__ import annotations

import logging
from pathlib import Path

import falcon
from marshmallow import Schema, ValidationError, fields, validate

from core import auth
from core.admin import admin_routes
from core.errors import ApiError, NotAuthenticated
from core.http import api
from core.models import CORE_MODELS, STAFF_ROLES, Customer, User
from core.openapi import OpenApiResource
from core.plugins import hookimpl
from core.web import NavItem, render

log = logging.getLogger("ydt")
TEMPLATE_DIR = Path(__file__).parent / "templates"

_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}
_STATUS_MESSAGES = {
    404: "No such page.",
    405: "Method not allowed.",
    415: "Unsupported media type; send JSON.",
}


def wants_html(req: falcon.Request) -> bool:
    return not req.path.startswith("/api/") and "text/html" in (req.get_header("Accept") or "")


def translate_field_messages(translator, lang: str, details):
    """Translate the field messages of error details (strings inside lists).

    ``{"qty": ["Must be at least 1."]}`` becomes Chinese; other values
    (codes, amounts, names in nested records) are left as they are.
    """
    if isinstance(details, dict):
        return {key: translate_field_messages(translator, lang, value) for key, value in details.items()}
    if isinstance(details, list):
        return [
            translator.translate_formatted(lang, item)
            if isinstance(item, str)
            else translate_field_messages(translator, lang, item)
            for item in details
        ]
    return details


def _answer(ctx, req, resp, status: int, code: str, message: str, details: dict, params=None, headers=None):
    lang = getattr(req.context, "lang", ctx.settings.language)
    text = ctx.translator.gettext(lang, message, **(params or {}))
    details = translate_field_messages(ctx.translator, lang, details)
    resp.status = status
    for name, value in (headers or {}).items():
        resp.set_header(name, value)
    if wants_html(req):
        if status == 401:
            resp.status = falcon.HTTP_303
            resp.location = "/login?next=" + falcon.uri.encode_value(req.relative_uri)
            return
        render(ctx, req, resp, "error.html", status=status, code=code, message=text)
        resp.status = status
        return
    resp.media = {"error": {"code": code, "message": text, "details": details}}


def error_handlers(ctx):
    def handle_api_error(req, resp, ex: ApiError, params):
        _answer(ctx, req, resp, ex.status, ex.code, ex.message, ex.details, ex.params, ex.headers)

    def handle_http_error(req, resp, ex: falcon.HTTPError, params):
        status = ex.status_code
        code = _STATUS_CODES.get(status, "http_error")
        message = _STATUS_MESSAGES.get(status) or "The request could not be processed."
        _answer(ctx, req, resp, status, code, message, {}, headers=dict(ex.headers or {}))

    def handle_unexpected(req, resp, ex: Exception, params):
        log.exception("unhandled error on %s %s", req.method, req.path)
        _answer(
            ctx, req, resp, 500, "internal_error", "Something went wrong on our side. Please try again.", {}
        )

    return [
        (Exception, handle_unexpected),
        (falcon.HTTPError, handle_http_error),
        (ApiError, handle_api_error),
    ]


# -- schemas -------------------------------------------------------------------


def _no_nul(value: str) -> None:
    if "\x00" in value:  # PostgreSQL cannot even compare it
        raise ValidationError("Control characters are not allowed.")


class LoginBody(Schema):
    username = fields.String(required=True, validate=[validate.Length(min=1, max=64), _no_nul])
    password = fields.String(required=True, validate=[validate.Length(min=1, max=256), _no_nul])


class CustomerSummary(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    customer_id = fields.Integer(allow_none=True)


class LoginAnswer(Schema):
    token = fields.String()
    csrf_token = fields.String()
    user = fields.Nested(UserSchema)


class MeAnswer(UserSchema):
    csrf_token = fields.String()
    customer = fields.Nested(CustomerSummary)
    customers = fields.List(fields.Nested(CustomerSummary))
    acting_customer_id = fields.Integer(allow_none=True)


class ChooseCustomerBody(Schema):
    customer_id = fields.Integer(required=True, strict=True)


# -- resources -------------------------------------------------------------------


class LoginResource:
    csrf_exempt = True

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api(
        "Log in; returns a bearer token and sets the session cookie",
        body=LoginBody,
        response=LoginAnswer,
        public=True,
        tags=["session"],
    )
    def on_post(self, req, resp):
        body = req.context.body
        user = auth.authenticate(self.ctx.settings, body["username"], body["password"], auth.client_addr(req))
        token, session = auth.start_session(self.ctx.settings, user)
        auth.set_session_cookie(self.ctx.settings, resp, token)
        self.ctx.pm.hook.on_user_login(ctx=self.ctx, user=user, request=req)
        resp.media = {"token": token, "csrf_token": session.csrf_token, "user": user.public()}


class LogoutResource:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api("End the session", tags=["session"])
    def on_post(self, req, resp):
        auth.end_session(req.context.session)
        auth.set_session_cookie(self.ctx.settings, resp, None)
        resp.media = {"ok": True}


class MeResource:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api("The logged-in user, with customer or assigned customers", response=MeAnswer, tags=["session"])
    def on_get(self, req, resp):
        resp.media = auth.me_payload(req)


class MeCustomerResource:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api(
        "Rep: choose the customer to act for",
        body=ChooseCustomerBody,
        response=MeAnswer,
        roles=["rep"],
        tags=["session"],
    )
    def on_put(self, req, resp):
        auth.choose_customer(req, req.context.body["customer_id"])
        resp.media = auth.me_payload(req)


class HealthResource:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api("Liveness and database check", public=True, tags=["system"])
    def on_get(self, req, resp):
        Customer.select().limit(1).count()
        resp.media = {"ok": True, "plugins": {p.name: p.manifest.version for p in self.ctx.plugins}}


class LoginPage:
    csrf_exempt = True

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def on_get(self, req, resp):
        if req.context.user is not None:
            raise falcon.HTTPSeeOther(_safe_next(req.get_param("next")))
        render(
            self.ctx, req, resp, "login.html", next=_safe_next(req.get_param("next")), error=None, username=""
        )

    def on_post(self, req, resp):
        form = req.get_media(default_when_empty={}) if req.content_type and "form" in req.content_type else {}
        username = str(form.get("username", ""))[:64]
        password = str(form.get("password", ""))[:256]
        next_url = _safe_next(form.get("next"))
        try:
            if not username or not password or "\x00" in username + password:
                raise ApiError("Wrong username or password.", code="invalid_credentials", status=401)
            user = auth.authenticate(self.ctx.settings, username, password, auth.client_addr(req))
        except ApiError as ex:
            _ = self.ctx.translator.bound(req.context.lang)
            render(self.ctx, req, resp, "login.html", next=next_url, error=_(ex.message), username=username)
            resp.status = ex.status
            return
        token, _session = auth.start_session(self.ctx.settings, user)
        auth.set_session_cookie(self.ctx.settings, resp, token)
        self.ctx.pm.hook.on_user_login(ctx=self.ctx, user=user, request=req)
        if user.role in ("support", "finance", "admin") and next_url == "/":
            next_url = "/admin"
        raise falcon.HTTPSeeOther(next_url)


class LogoutPage:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def on_post(self, req, resp):
        if req.context.session is not None:
            auth.end_session(req.context.session)
        auth.set_session_cookie(self.ctx.settings, resp, None)
        raise falcon.HTTPSeeOther("/login")


ROLE_LABELS = {
    "dealer": "Dealer",
    "rep": "Sales rep",
    "support": "Customer service",
    "finance": "Finance",
    "admin": "Administrator",
}


class MePage:
    """Who am I, which customer a rep orders for, language, log out."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def on_get(self, req, resp):
        user = req.context.user
        if user is None:
            raise NotAuthenticated()
        me = auth.me_payload(req)
        customers = []
        if user.role == "rep":
            ids = [c["id"] for c in me.get("customers", [])]
            customers = list(Customer.select().where(Customer.id.in_(ids)).order_by(Customer.code))
        render(
            self.ctx,
            req,
            resp,
            "me.html",
            active_nav="me",
            role_label=ROLE_LABELS.get(user.role, user.role),
            customer=Customer.get_by_id(user.customer_id) if user.customer_id else None,
            customers=customers,
            acting_customer_id=me.get("acting_customer_id"),
        )


def _safe_next(value) -> str:
    value = str(value or "/")
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@hookimpl
def register_models():
    return CORE_MODELS


@hookimpl
def register_template_dirs():
    return [TEMPLATE_DIR]


@hookimpl
def register_routes(ctx):
    return [
        ("/api/v1/auth/login", LoginResource(ctx)),
        ("/api/v1/auth/logout", LogoutResource(ctx)),
        ("/api/v1/me", MeResource(ctx)),
        ("/api/v1/me/customer", MeCustomerResource(ctx)),
        ("/api/v1/health", HealthResource(ctx)),
        ("/api/v1/openapi.json", OpenApiResource(ctx)),
        ("/static/{prefix}/{path:path}", ctx.static),
        ("/login", LoginPage(ctx)),
        ("/logout", LogoutPage(ctx)),
        ("/me", MePage(ctx)),
        *admin_routes(ctx),
    ]


@hookimpl
def register_nav_items(ctx):
    return [
        NavItem(key="me", label="Me", url="/me", icon="user", area="shop", order=90),
        NavItem(
            key="dashboard",
            label="Dashboard",
            url="/admin",
            icon="home",
            area="admin",
            order=0,
            roles=STAFF_ROLES,
        ),
        NavItem(
            key="customers",
            label="Customers",
            url="/admin/customers",
            icon="user",
            area="admin",
            order=80,
            roles=STAFF_ROLES,
        ),
        NavItem(
            key="users",
            label="Accounts",
            url="/admin/users",
            icon="user",
            area="admin",
            order=90,
            roles=("admin",),
        ),
    ]


@hookimpl
def register_demo_data(ctx, dataset):
    """Customers, accounts and rep assignments of the demo factory."""
    from core.auth import hash_password
    from core.models import RepAssignment

    customers = {}
    for item in dataset.customers:
        customers[item.code] = Customer.create(
            code=item.code,
            name=item.name,
            province=item.province,
            city=item.city,
            address=item.address,
            contact=item.contact,
            phone=item.phone,
            discount_rate=item.discount_rate,
            credit_limit=item.credit_limit_fen,
            balance=item.balance_fen,
            auto_pay=item.auto_pay,
        )
    hashes: dict[str, str] = {}
    users = {}
    for account in dataset.accounts:
        if account.password not in hashes:
            hashes[account.password] = hash_password(account.password)
        users[account.username] = User.create(
            username=account.username,
            password_hash=hashes[account.password],
            display_name=account.display_name,
            role=account.role,
            customer=customers[account.customer_code] if account.customer_code else None,
        )
    for assignment in dataset.rep_assignments:
        RepAssignment.create(rep=users[assignment.rep_username], customer=customers[assignment.customer_code])
