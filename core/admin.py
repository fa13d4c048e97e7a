"""Back office of the core: accounts, customers and rep assignments.

API under ``/api/v1/admin/...`` (admin role; customers are readable by all
staff) and desktop pages under ``/admin``. Customer records and accounts
will mostly arrive from the ERP; the back office can still create and
correct them.
"""

from __future__ import annotations

from decimal import Decimal

import falcon
from marshmallow import Schema, fields, validate

from core.auth import create_user, hash_password
from core.db import write_transaction
from core.errors import Conflict, NotAuthenticated, NotFound, ValidationFailed
from core.http import PageQuery, api, paginate
from core.models import ROLES, STAFF_ROLES, Customer, RepAssignment, Session, User
from core.money import fen_to_str
from core.web import render

USERNAME = validate.Regexp(r"^[A-Za-z0-9_.@-]{2,64}$", error="2-64 letters, digits, or _ . @ -")


class UserQuery(PageQuery):
    role = fields.String(validate=validate.OneOf(ROLES))
    q = fields.String(validate=validate.Length(max=64))


class NewUserBody(Schema):
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=validate.Length(min=8, max=256))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    display_name = fields.String(load_default="", validate=validate.Length(max=64))
    customer_id = fields.Integer(strict=True, allow_none=True, load_default=None)


class UserPatchBody(Schema):
    display_name = fields.String(validate=validate.Length(max=64))
    password = fields.String(validate=validate.Length(min=8, max=256))
    active = fields.Boolean()


class CustomerQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=64))


class CustomerBody(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    province = fields.String(load_default="", validate=validate.Length(max=32))
    city = fields.String(load_default="", validate=validate.Length(max=32))
    address = fields.String(load_default="", validate=validate.Length(max=255))
    contact = fields.String(load_default="", validate=validate.Length(max=64))
    phone = fields.String(load_default="", validate=validate.Length(max=32))
    discount_rate = fields.Decimal(
        load_default=Decimal("1"),
        places=4,
        as_string=True,
        validate=validate.Range(min=Decimal("0.01"), max=2),
    )
    auto_pay = fields.Boolean(load_default=False)


class AssignBody(Schema):
    customer_ids = fields.List(fields.Integer(strict=True), required=True, validate=validate.Length(max=500))


def user_json(user: User) -> dict:
    data = user.public()
    data["active"] = user.active
    data["created_at"] = user.created_at.isoformat()
    return data


def customer_json(customer: Customer) -> dict:
    return {
        "id": customer.id,
        "code": customer.code,
        "name": customer.name,
        "province": customer.province,
        "city": customer.city,
        "address": customer.address,
        "contact": customer.contact,
        "phone": customer.phone,
        "discount_rate": str(customer.discount_rate.normalize()),
        "credit_limit": fen_to_str(customer.credit_limit),
        "balance": fen_to_str(customer.balance),
        "auto_pay": customer.auto_pay,
        "active": customer.active,
    }


def users_query(params: dict):
    query = User.select().order_by(User.role, User.username)
    if params.get("role"):
        query = query.where(User.role == params["role"])
    if params.get("q"):
        needle = f"%{params['q']}%"
        query = query.where(User.username.ilike(needle) | User.display_name.ilike(needle))
    return query


def customers_query(params: dict):
    query = Customer.select().order_by(Customer.code)
    if params.get("q"):
        needle = f"%{params['q']}%"
        query = query.where(Customer.code.ilike(needle) | Customer.name.ilike(needle))
    return query


class AdminUsers:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api("List accounts", query=UserQuery, paginated=True, roles=["admin"], tags=["admin"])
    def on_get(self, req, resp):
        resp.media = paginate(users_query(req.context.query), req.context.query, user_json)

    @api("Create an account", body=NewUserBody, status=201, roles=["admin"], tags=["admin"])
    def on_post(self, req, resp):
        body = req.context.body
        customer = None
        if body["customer_id"] is not None:
            customer = Customer.get_or_none(Customer.id == body["customer_id"])
            if customer is None:
                raise ValidationFailed(details={"customer_id": ["Unknown customer."]})
        with write_transaction():
            if User.select().where(User.username == body["username"]).exists():
                raise Conflict("This username is taken.", code="username_taken")
            user = create_user(
                body["username"],
                body["password"],
                body["role"],
                display_name=body["display_name"],
                customer=customer,
            )
        resp.media = user_json(user)


class AdminUser:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api("Change an account (name, password, active)", body=UserPatchBody, roles=["admin"], tags=["admin"])
    def on_patch(self, req, resp, user_id: str):
        user = _get(User, user_id)
        body = req.context.body
        with write_transaction():
            if "display_name" in body:
                user.display_name = body["display_name"]
            if "password" in body:
                user.password_hash = hash_password(body["password"])
                Session.delete().where(Session.user == user).execute()
            if "active" in body:
                if not body["active"] and user.id == req.context.user.id:
                    raise Conflict("You cannot disable your own account.", code="cannot_disable_self")
                user.active = body["active"]
                if not user.active:
                    Session.delete().where(Session.user == user).execute()
            user.save()
        resp.media = user_json(user)


class AdminRepCustomers:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api("Customers assigned to a rep", roles=["admin", "support", "finance"], tags=["admin"])
    def on_get(self, req, resp, user_id: str):
        rep = _get(User, user_id)
        rows = Customer.select().join(RepAssignment).where(RepAssignment.rep == rep).order_by(Customer.code)
        resp.media = {"rep_id": rep.id, "customers": [c.summary() for c in rows]}

    @api("Replace the customers assigned to a rep", body=AssignBody, roles=["admin"], tags=["admin"])
    def on_put(self, req, resp, user_id: str):
        rep = _get(User, user_id)
        if rep.role != "rep":
            raise ValidationFailed(details={"user_id": ["Not a sales rep."]})
        wanted = sorted(set(req.context.body["customer_ids"]))
        found = (
            {c.id for c in Customer.select(Customer.id).where(Customer.id.in_(wanted))} if wanted else set()
        )
        missing = [cid for cid in wanted if cid not in found]
        if missing:
            raise ValidationFailed(details={"customer_ids": [f"Unknown customer {cid}." for cid in missing]})
        with write_transaction():
            RepAssignment.delete().where(RepAssignment.rep == rep).execute()
            for cid in wanted:
                RepAssignment.create(rep=rep, customer=cid)
            Session.update(acting_customer=None).where(
                (Session.user == rep) & Session.acting_customer.not_in(wanted or [0])
            ).execute()
        rows = Customer.select().where(Customer.id.in_(wanted or [0])).order_by(Customer.code)
        resp.media = {"rep_id": rep.id, "customers": [c.summary() for c in rows]}


class AdminCustomers:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    @api("List customers", query=CustomerQuery, paginated=True, roles=list(STAFF_ROLES), tags=["admin"])
    def on_get(self, req, resp):
        resp.media = paginate(customers_query(req.context.query), req.context.query, customer_json)

    @api("Create a customer", body=CustomerBody, status=201, roles=["admin"], tags=["admin"])
    def on_post(self, req, resp):
        body = req.context.body
        with write_transaction():
            if Customer.select().where(Customer.code == body["code"]).exists():
                raise Conflict("A customer with this code exists.", code="customer_code_taken")
            customer = Customer.create(**body)
        resp.media = customer_json(customer)


def _get(model, raw_id: str):
    try:
        record_id = int(raw_id)
    except ValueError:
        raise NotFound() from None
    record = model.get_or_none(model.id == record_id)
    if record is None:
        raise NotFound()
    return record


# -- pages ---------------------------------------------------------------------


def require_staff(req, roles=STAFF_ROLES):
    user = req.context.user
    if user is None:
        raise NotAuthenticated()
    if user.role not in roles:
        raise falcon.HTTPSeeOther("/")
    return user


class DashboardPage:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def on_get(self, req, resp):
        require_staff(req)
        counts = {role: User.select().where(User.role == role, User.active == True).count() for role in ROLES}  # noqa: E712
        render(
            self.ctx,
            req,
            resp,
            "admin/dashboard.html",
            area="admin",
            active_nav="dashboard",
            counts=counts,
            customers=Customer.select().where(Customer.active == True).count(),  # noqa: E712
            plugins=self.ctx.plugins,
        )


class UsersPage:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def on_get(self, req, resp):
        require_staff(req, ("admin",))
        params = {"role": req.get_param("role") or "", "q": (req.get_param("q") or "")[:64]}
        if params["role"] not in ROLES:
            params["role"] = ""
        page = max(1, req.get_param_as_int("page", min_value=1, max_value=100000) or 1)
        listing = paginate(users_query(params), {"page": page, "per_page": 50}, lambda u: u)
        render(
            self.ctx,
            req,
            resp,
            "admin/users.html",
            area="admin",
            active_nav="users",
            listing=listing,
            params=params,
            roles=ROLES,
            customers=list(Customer.select().order_by(Customer.code)),
        )


class CustomersPage:
    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def on_get(self, req, resp):
        require_staff(req)
        params = {"q": (req.get_param("q") or "")[:64]}
        page = max(1, req.get_param_as_int("page", min_value=1, max_value=100000) or 1)
        listing = paginate(customers_query(params), {"page": page, "per_page": 50}, lambda c: c)
        ids = [c.id for c in listing["items"]]
        reps: dict[int, list[str]] = {}
        rows = (
            RepAssignment.select(RepAssignment.customer, User.display_name, User.username)
            .join(User)
            .where(RepAssignment.customer.in_(ids or [0]))
        )
        for row in rows:
            reps.setdefault(row.customer_id, []).append(row.rep.display_name or row.rep.username)
        render(
            self.ctx,
            req,
            resp,
            "admin/customers.html",
            area="admin",
            active_nav="customers",
            listing=listing,
            params=params,
            reps=reps,
        )


def admin_routes(ctx) -> list:
    return [
        ("/api/v1/admin/users", AdminUsers(ctx)),
        ("/api/v1/admin/users/{user_id}", AdminUser(ctx)),
        ("/api/v1/admin/users/{user_id}/customers", AdminRepCustomers(ctx)),
        ("/api/v1/admin/customers", AdminCustomers(ctx)),
        ("/admin", DashboardPage(ctx)),
        ("/admin/users", UsersPage(ctx)),
        ("/admin/customers", CustomersPage(ctx)),
    ]
