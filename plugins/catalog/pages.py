"""Shop pages of the catalog: home, category browser, product list, product.

Every shop page is for a customer: :func:`shop_customer` sends an anonymous
visitor to the login page, factory staff to the back office and a rep who
has not chosen a customer to ``/me``. The product lists page with
``?partial=1``: the "load more" script asks for the next page of cards as
HTML, so a card has one markup, the ``product_card`` macro.
"""

from __future__ import annotations

from typing import Any

import falcon

from core.auth import acting_customer, is_assigned
from core.errors import NotAuthenticated
from core.models import STAFF_ROLES, Customer
from core.web import render
from plugins.catalog import services

# Ten cards a page (the API's default is 20): a list page must stay under
# 60 KB on first load (DESIGN §7); the rest arrives through "load more".
PAGE_SIZE = 10
NEW_ARRIVALS = 6
RECOMMENDED = 10
_MAX_PAGE = 10_000


def shop_customer(req: falcon.Request) -> Customer:
    """The customer a shop page is shown for, or a redirect for everybody else.

    Anonymous: 401, which the core answers with a redirect to the login page.
    Staff (support, finance, admin): to the back office at ``/admin``. A rep
    who has not chosen a customer (or whose chosen one is no longer assigned):
    to ``/me`` to pick one.
    """
    user = req.context.user
    if user is None:
        raise NotAuthenticated()
    if user.role in STAFF_ROLES:
        raise falcon.HTTPSeeOther("/admin")
    if user.role == "rep":
        session = req.context.session
        chosen = session.acting_customer_id if session is not None else None
        if chosen is None or not is_assigned(user, chosen):
            raise falcon.HTTPSeeOther("/me")
    return acting_customer(req)


def _int_param(req: falcon.Request, name: str, default: int | None = None) -> int | None:
    """A positive int query parameter; anything else counts as absent."""
    raw = req.get_param(name)
    if raw is None or not raw.isdigit() or len(raw) > 9:
        return default
    value = int(raw)
    return value if value > 0 else default


def _search(req: falcon.Request) -> str:
    return (req.get_param("q") or "").strip()[:100]


def _listing(ctx, customer, query, page: int) -> tuple[list[dict[str, Any]], int]:
    """One page of products for ``customer`` and the total count."""
    products = list(query.paginate(page, PAGE_SIZE))
    return services.describe_products(ctx, customer, products), query.count()


def _more_url(path: str, page: int, **params: Any) -> str:
    query = "&".join(f"{k}={falcon.uri.encode_value(str(v))}" for k, v in params.items() if v)
    return f"{path}?{query}{'&' if query else ''}page={page + 1}&partial=1"


class HomePage:
    """``/``: search, category grid, new arrivals and recommended products."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def on_get(self, req, resp):
        customer = shop_customer(req)
        categories = services.active_categories()
        newest = list(services.newest_products(NEW_ARRIVALS))
        recommended = list(services.published_products(categories=categories).limit(RECOMMENDED))
        batch = {p.id: p for p in newest + recommended}
        described = {
            item["id"]: item for item in services.describe_products(self.ctx, customer, list(batch.values()))
        }
        render(
            self.ctx,
            req,
            resp,
            "catalog/home.html",
            page_title=_title(self.ctx, req, "Home"),
            active_nav="home",
            customer=customer,
            is_rep=req.context.user.role == "rep",
            tree=services.category_tree(categories),
            newest=[described[p.id] for p in newest],
            recommended=[described[p.id] for p in recommended],
        )


class CategoriesPage:
    """``/categories``: a rail of main categories, products of the chosen one."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def on_get(self, req, resp):
        customer = shop_customer(req)
        categories = services.active_categories()
        tree = services.category_tree(categories)
        wanted = _int_param(req, "category_id")
        if wanted not in categories:
            wanted = tree[0]["id"] if tree else None
        page = min(_int_param(req, "page", 1), _MAX_PAGE)
        products, total = [], 0
        if wanted is not None:
            query = services.published_products(wanted, categories=categories)
            products, total = _listing(self.ctx, customer, query, page)
        more_url = _more_url("/categories", page, category_id=wanted) if page * PAGE_SIZE < total else ""
        if req.get_param("partial"):
            render(self.ctx, req, resp, "catalog/_items.html", products=products, more_url=more_url)
            return
        path = services.category_path(categories, wanted)
        root = next((node for node in tree if path and node["id"] == path[0].id), None)
        render(
            self.ctx,
            req,
            resp,
            "catalog/categories.html",
            page_title=_title(self.ctx, req, "Categories"),
            active_nav="category",
            tree=tree,
            root=root,
            selected_id=wanted,
            products=products,
            total=total,
            more_url=more_url,
        )


class ProductsPage:
    """``/products?category_id=&q=``: a two-column grid of matching products."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def on_get(self, req, resp):
        customer = shop_customer(req)
        categories = services.active_categories()
        category_id = _int_param(req, "category_id")
        if category_id not in categories:
            category_id = None
        q = _search(req)
        page = min(_int_param(req, "page", 1), _MAX_PAGE)
        query = services.published_products(category_id, q, categories=categories)
        products, total = _listing(self.ctx, customer, query, page)
        more_url = (
            _more_url("/products", page, category_id=category_id, q=q) if page * PAGE_SIZE < total else ""
        )
        if req.get_param("partial"):
            render(self.ctx, req, resp, "catalog/_cards.html", products=products, more_url=more_url)
            return
        category = categories.get(category_id) if category_id else None
        subcategories = [
            c for c in categories.values() if category is not None and c.parent_id == category.id
        ]
        _ = self.ctx.translator.bound(req.context.lang)
        title = category.name if category else (_("Search results") if q else _("All products"))
        render(
            self.ctx,
            req,
            resp,
            "catalog/products.html",
            page_title=title,
            back_url="/categories" + (f"?category_id={category_id}" if category_id else ""),
            category=category,
            subcategories=subcategories,
            q=q,
            products=products,
            total=total,
            more_url=more_url,
        )


class ProductPage:
    """``/products/{id}``: images, this customer's prices, configuration sheet."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx

    def on_get(self, req, resp, product_id: int):
        customer = shop_customer(req)
        product = services.get_published_product(product_id)
        data = services.describe_product(self.ctx, customer, product)
        grade = services.grade_group(product)
        selected = data["default_options"]
        render(
            self.ctx,
            req,
            resp,
            "catalog/product.html",
            page_title=data["name"],
            back_url=f"/categories?category_id={product.category_id}",
            product=data,
            grade_code=grade.code if grade else None,
            grade_rows=_grade_rows(data.get("grade_prices"), grade),
            current_grade=selected.get(grade.code) if grade else None,
            stock_max=_stock_max(data.get("stock")),
        )


def _grade_rows(grade_prices: Any, grade) -> list[dict[str, Any]]:
    """``[{grade, name, price}]`` for the grade table, names filled from the
    product's grade group when the price data leaves them out."""
    if grade is None or not grade_prices:
        return []
    names = {value.code: value.name for value in services.values_of(grade)}
    if isinstance(grade_prices, dict):
        grade_prices = [{"grade": code, "price": price} for code, price in grade_prices.items()]
    rows = []
    for row in grade_prices:
        if isinstance(row, dict) and row.get("grade") in names:
            rows.append(
                {
                    "grade": row["grade"],
                    "name": row.get("name") or names[row["grade"]],
                    "price": row.get("price"),
                }
            )
    return rows


def _stock_max(stock: Any) -> int | None:
    """The most a dealer can order now, ``None`` without a limit."""
    if not isinstance(stock, dict) or stock.get("mode") in (None, "unlimited"):
        return None
    available = stock.get("available")
    return max(int(available), 0) if isinstance(available, int) else None


def _title(ctx, req, msgid: str) -> str:
    return ctx.translator.gettext(req.context.lang, msgid)
