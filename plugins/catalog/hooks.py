"""Hook implementations of the catalog plugin."""

from __future__ import annotations

from pathlib import Path

from core.plugins import hookimpl
from core.web import NavItem
from plugins.catalog import media, pages, resources
from plugins.catalog.models import MODELS

PLUGIN_DIR = Path(__file__).parent


@hookimpl
def register_models():
    return MODELS


@hookimpl
def register_routes(ctx):
    return [
        ("/api/v1/categories", resources.CategoryTreeResource(ctx)),
        ("/api/v1/products", resources.ProductListResource(ctx)),
        ("/api/v1/products/{product_id:int}", resources.ProductResource(ctx)),
        ("/media/products/{name}", media.ProductMedia(ctx)),
        ("/media/products/thumbs/{name}", media.ProductMedia(ctx, thumbs=True)),
        ("/", pages.HomePage(ctx)),
        ("/categories", pages.CategoriesPage(ctx)),
        ("/products", pages.ProductsPage(ctx)),
        ("/products/{product_id:int}", pages.ProductPage(ctx)),
    ]


@hookimpl
def register_template_dirs():
    return [PLUGIN_DIR / "templates"]


@hookimpl
def register_static_dirs():
    return [("catalog", PLUGIN_DIR / "static")]


@hookimpl
def register_nav_items(ctx):
    return [
        NavItem(key="home", label="Home", url="/", icon="home", area="shop", order=10),
        NavItem(
            key="category", label="Categories", url="/categories", icon="category", area="shop", order=20
        ),
    ]


@hookimpl
def register_commands(cli):
    from plugins.catalog.cli import catalog

    cli.add_command(catalog)


@hookimpl
def register_demo_data(ctx, dataset):
    from plugins.catalog.demo import load_demo_catalog

    load_demo_catalog(ctx, dataset)
