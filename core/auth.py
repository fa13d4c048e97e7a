"""Who is calling: passwords, sessions, tokens, CSRF, throttling, scope.

A login creates a :class:`core.models.Session`. Its token works as a bearer
token (``Authorization: Bearer ...``) and is also set as the HttpOnly
``ydt_session`` cookie for the web pages. Unsafe requests authenticated by
the cookie must carry the session's CSRF token in ``X-CSRF-Token`` (or a
``csrf_token`` form field). Failed logins are counted per username and per
address; past the limit the answer is 429 until the window passes.

Visibility is decided here, once: :func:`acting_customer` is the customer a
request acts for, :func:`visible_customer_ids` the customers a user may see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

import falcon
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.db import current_database, is_postgres, utcnow, write_transaction
from core.errors import Forbidden, NotAuthenticated, TooManyRequests, ValidationFailed
from core.models import STAFF_ROLES, Customer, LoginAttempt, RepAssignment, Session, User

SESSION_COOKIE = "ydt_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Cheaper than argon2's defaults but still memory-hard; a phone login should
# not wait, and tests log in hundreds of times.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def client_addr(req: falcon.Request) -> str:
    return (req.remote_addr or "unknown")[:64]


def _recent_failures(settings, username: str, addr: str) -> tuple[int, int]:
    since = utcnow() - dt.timedelta(seconds=settings.login_window_seconds)
    recent = LoginAttempt.select().where(LoginAttempt.at >= since)
    by_user = recent.where(LoginAttempt.username == username).count()
    by_addr = recent.where(LoginAttempt.remote_addr == addr).count()
    return by_user, by_addr


def _throttled(settings, by_user: int, by_addr: int) -> bool:
    return by_user > settings.login_max_failures or by_addr > settings.login_max_failures * 4


def authenticate(settings, username: str, password: str, addr: str) -> User:
    """Check credentials, counting failures; raise 401/429 on failure.

    The attempt is recorded (as a failure) before the password is checked,
    so parallel guesses count against each other instead of all slipping
    through one check; a successful login then clears the user's record.
    """
    username = username[:64]
    with write_transaction():
        if is_postgres():
            # Serialise attempts on one username so each sees the others'
            # (SQLite's BEGIN IMMEDIATE already does).
            current_database().execute_sql(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"login:{username}",)
            )
        by_user, by_addr = _recent_failures(settings, username, addr)
        throttled = _throttled(settings, by_user + 1, by_addr + 1)
        if not throttled:
            attempt = LoginAttempt.create(username=username, remote_addr=addr)
    if throttled:
        raise TooManyRequests(headers={"Retry-After": str(settings.login_window_seconds)})
    user = User.get_or_none(User.username == username)
    # Verify against a dummy hash for unknown users so timing reveals nothing.
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if not ok or user is None:
        raise NotAuthenticated("Wrong username or password.", code="invalid_credentials")
    with write_transaction():
        LoginAttempt.delete().where(
            (LoginAttempt.username == username) | (LoginAttempt.id == attempt.id)
        ).execute()
    if not user.active:
        raise Forbidden("This account is disabled.", code="account_disabled")
    return user


def start_session(settings, user: User) -> tuple[str, Session]:
    token = secrets.token_urlsafe(32)
    acting = None
    if user.role == "rep":
        first = (
            RepAssignment.select(RepAssignment.customer)
            .where(RepAssignment.rep == user)
            .order_by(RepAssignment.id)
            .first()
        )
        acting = first.customer_id if first else None
    with write_transaction():
        session = Session.create(
            token_hash=_token_hash(token),
            user=user,
            csrf_token=secrets.token_urlsafe(24),
            acting_customer=acting,
            expires_at=utcnow() + dt.timedelta(days=settings.session_days),
        )
    return token, session


def end_session(session: Session) -> None:
    with write_transaction():
        Session.delete().where(Session.id == session.id).execute()


def set_session_cookie(settings, resp: falcon.Response, token: str | None) -> None:
    if token is None:
        resp.unset_cookie(SESSION_COOKIE, path="/")
        return
    resp.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        path="/",
        http_only=True,
        secure=settings.cookie_secure,
        same_site="Lax",
    )


class AuthMiddleware:
    """Resolve the session of each request and enforce CSRF for cookies."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.user = None
        req.context.session = None
        req.context.customer = None
        req.context.via_cookie = False
        token = None
        header = req.get_header("Authorization") or ""
        if header.lower().startswith("bearer "):
            token = header[7:].strip()
        else:
            token = req.cookies.get(SESSION_COOKIE)
            req.context.via_cookie = token is not None
        if not token or len(token) > 256:
            return
        session = (
            Session.select(Session, User).join(User).where(Session.token_hash == _token_hash(token)).first()
        )
        if session is None or session.expires_at < utcnow() or not session.user.active:
            return
        req.context.session = session
        req.context.user = session.user

    def process_resource(self, req, resp, resource, params) -> None:
        if req.method in SAFE_METHODS or not req.context.via_cookie or req.context.session is None:
            return
        if getattr(resource, "csrf_exempt", False):
            return
        sent = req.get_header(CSRF_HEADER) or ""
        if not sent and req.content_type and "form-urlencoded" in req.content_type:
            form = req.get_media(default_when_empty={})
            sent = str(form.get("csrf_token", "")) if isinstance(form, dict) else ""
        if not hmac.compare_digest(sent.encode(), req.context.session.csrf_token.encode()):
            raise Forbidden("CSRF token missing or wrong; reload the page and try again.", code="csrf_failed")


def acting_customer(req: falcon.Request) -> Customer:
    """The customer this request acts for: a dealer's own, a rep's chosen one."""
    user = req.context.user
    if user is None:
        raise NotAuthenticated()
    if user.role == "dealer":
        if user.customer_id is None:
            raise Forbidden()
        return Customer.get_by_id(user.customer_id)
    if user.role == "rep":
        session = req.context.session
        customer_id = session.acting_customer_id if session is not None else None
        if customer_id is None or not is_assigned(user, customer_id):
            raise Forbidden("Choose a customer first.", code="no_acting_customer")
        return Customer.get_by_id(customer_id)
    raise Forbidden()


def is_assigned(rep: User, customer_id: int) -> bool:
    return (
        RepAssignment.select()
        .where((RepAssignment.rep == rep) & (RepAssignment.customer == customer_id))
        .exists()
    )


def visible_customer_ids(user: User) -> list[int] | None:
    """Customers whose records ``user`` may see; ``None`` means all (staff)."""
    if user.role in STAFF_ROLES:
        return None
    if user.role == "dealer":
        return [user.customer_id] if user.customer_id else []
    return [row.customer_id for row in RepAssignment.select().where(RepAssignment.rep == user)]


def choose_customer(req: falcon.Request, customer_id: int) -> Customer:
    user = req.context.user
    if user.role != "rep":
        raise Forbidden("Only sales reps can choose a customer.", code="not_a_rep")
    if not is_assigned(user, customer_id):
        raise Forbidden("This customer is not assigned to you.", code="not_assigned")
    with write_transaction():
        Session.update(acting_customer=customer_id).where(Session.id == req.context.session.id).execute()
    req.context.session.acting_customer = customer_id
    return Customer.get_by_id(customer_id)


def me_payload(req: falcon.Request) -> dict[str, Any]:
    user = req.context.user
    data = user.public()
    data["csrf_token"] = req.context.session.csrf_token if req.context.session else None
    if user.role == "dealer" and user.customer_id:
        data["customer"] = Customer.get_by_id(user.customer_id).summary()
    if user.role == "rep":
        customers = (
            Customer.select().join(RepAssignment).where(RepAssignment.rep == user).order_by(Customer.code)
        )
        data["customers"] = [c.summary() for c in customers]
        data["acting_customer_id"] = req.context.session.acting_customer_id if req.context.session else None
    return data


def create_user(
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    customer: Customer | None = None,
) -> User:
    from core.models import ROLES

    if role not in ROLES:
        raise ValidationFailed(details={"role": [f"must be one of {', '.join(ROLES)}"]})
    if role == "dealer" and customer is None:
        raise ValidationFailed(details={"customer": ["a dealer belongs to a customer"]})
    return User.create(
        username=username,
        password_hash=hash_password(password),
        display_name=display_name or username,
        role=role,
        customer=customer,
    )
