"""The public hook API: everything a plugin can contribute or observe.

Three families, named so the kind is obvious:

* ``register_*`` — contributions, collected from every plugin at start-up.
  All results are collected; the core orders them base plugin first.
* ``on_*`` — notifications of something that happened. Every implementation
  is called; return values are ignored. Called after the change committed,
  unless the docstring says "inside the transaction".
* ``resolve_*`` — questions with one answer. The first non-``None`` result
  wins; plugins loaded later (dependents) are asked first, so a plugin can
  override the answer of a plugin it depends on.

Hooks are always called with keyword arguments. ``ctx`` is the
:class:`core.app.AppContext` of the app: settings, plugin manager, templates,
translator and the plugin settings. An implementation may accept any subset
of a hook's arguments. The plugin author guide (``docs/plugins.md``) has a
section with an example for every hook here; a test keeps the two in sync.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("ydt")


# -- contributions (start-up) ------------------------------------------------


@hookspec
def register_models():
    """Return the peewee model classes this plugin owns.

    All results collected. The core creates their tables on install and
    records the plugin's schema version; later changes go in migrations.
    """


@hookspec
def register_routes(ctx):
    """Return ``(path, resource)`` pairs to mount on the app.

    All results collected. API paths start with ``/api/v1``; page paths are
    free. Resources are Falcon resources (``on_get``, ``on_post``...); use
    :func:`core.http.api` on responders to validate input and publish them
    in the OpenAPI document.
    """


@hookspec
def register_template_dirs():
    """Return directories of Jinja2 templates this plugin provides.

    All results collected; a dependent plugin's directory is searched before
    its dependencies', so a plugin can override a page of another one.
    """


@hookspec
def register_static_dirs():
    """Return ``(prefix, directory)`` pairs served under ``/static/<prefix>/``.

    All results collected.
    """


@hookspec
def register_nav_items(ctx):
    """Return :class:`core.web.NavItem` entries for the page menus.

    All results collected, then sorted by ``order``. ``area`` is ``"shop"``
    for the dealer/rep tab bar and ``"admin"`` for the back-office sidebar;
    ``roles`` limits who sees the entry.
    """


@hookspec
def register_commands(cli):
    """Add click commands or groups to the ``ydt`` command line.

    ``cli`` is the root click group. Called once when the CLI starts.
    """


@hookspec
def register_jobs(ctx):
    """Return :class:`core.jobs.PeriodicJob` and :class:`core.jobs.Task` entries.

    All results collected. A periodic job is a function of ``ctx`` that
    ``ydt worker`` calls every ``minutes`` minutes inside the app's database
    context. A task is a function ``func(ctx, *args)`` run once each time it
    is queued with ``core.jobs.enqueue(ctx, name, *args)``.
    """


@hookspec
def register_demo_data(ctx, dataset):
    """Load demo records into an empty database for ``ydt demo``.

    All results collected. ``dataset`` is the demo factory dataset
    (:func:`demodata.build_dataset`). Called in dependency order, inside a
    transaction.
    """


@hookspec
def extra_page_context(ctx, request, area):
    """Return a dict of extra variables for every page template.

    All results collected and merged. ``area`` is ``"shop"`` or ``"admin"``.
    Keep it cheap: it runs on every page view.
    """


@hookspec
def extend_product_data(ctx, customer, products, detail):
    """Return ``{product_id: {field: value}}`` to add to product answers.

    All results collected and merged into each product's JSON (and page
    data). ``customer`` is the customer the request acts for, ``products``
    the catalog products being answered (a page of a list, or one product
    when ``detail`` is true). Work on the whole batch at once: this runs on
    every product list. The pricing plugin adds ``price``; inventory adds
    ``stock``.
    """


@hookspec(firstresult=True)
def prepare_demo(ctx, host, port, options):
    """Start companion services of ``ydt demo`` and load the demo through them.

    First non-``None`` result wins. Called before the demo data is loaded;
    ``options`` holds the demo command's options (plugins may add options
    to the ``demo`` command in ``register_commands``). Return ``True`` when
    the plugin loaded the demo data itself (an ERP connector syncing it from
    its simulator), so the core skips ``register_demo_data``; return a list
    of ``(label, url)`` pairs via ``ctx.demo_services`` to have them printed.
    """


# -- lifecycle ---------------------------------------------------------------


@hookspec
def on_startup(ctx):
    """Called once after the app is built and the database is ready."""


# -- notifications -------------------------------------------------------------


@hookspec
def on_user_login(ctx, user, request):
    """Called after a successful login of ``user``."""


@hookspec
def on_order_submitted(ctx, order):
    """Called inside the transaction that created ``order``.

    Runs in the submitting transaction so that a plugin can record what must
    happen next (an outbox row, say) atomically with the order; raising
    aborts the submission. Do no network I/O here.
    """


@hookspec
def on_order_status_changed(ctx, order, old_status, new_status, actor, reason):
    """Called inside the transaction that moved ``order`` to a new status.

    ``actor`` is the user who made the change or ``None`` for the system;
    ``reason`` is a short code (``payment_timeout``, ``dealer_cancelled``…)
    or ``None``.
    """


@hookspec
def on_stock_changed(ctx, product_id, available):
    """Called after the platform's available stock of a product changed."""


# -- resolvers -------------------------------------------------------------------


@hookspec(firstresult=True)
def resolve_price(ctx, customer, product, options, qty):
    """Return the :class:`plugins.pricing.PriceResult` of a configured line.

    First non-``None`` result wins. ``customer`` is the customer record,
    ``product`` the catalog product, ``options`` a validated mapping of option
    group code to value code, ``qty`` a positive int. Return ``None`` to let
    the next plugin (finally the built-in price file) answer.
    """


@hookspec(firstresult=True)
def resolve_stock(ctx, product):
    """Return the available quantity of ``product`` in ``erp`` stock mode.

    First non-``None`` result wins. Only asked for products whose stock mode
    is ``erp``; the answer is live ERP stock before platform orders the ERP
    has not yet acknowledged are taken off.
    """


@hookspec(firstresult=True)
def resolve_payment_provider(ctx, method):
    """Return the payment provider object for payment ``method`` or ``None``."""
