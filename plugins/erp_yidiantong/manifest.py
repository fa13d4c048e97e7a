from core.plugins import Manifest, Setting

MANIFEST = Manifest(
    name="erp_yidiantong",
    version="0.1.0",
    summary="一点通 ERP connector: EGP/1 sync of catalog, customers, prices, stock, progress; order import",
    depends=("orders",),
    settings={
        "base_url": Setting("", "EGP/1 gateway agent URL, e.g. http://127.0.0.1:8001 (empty: connector idle)"),
        "key_id": Setting("demo", "Key id the platform signs its requests with"),
        "secret": Setting("demo-egp-secret", "Secret of key_id (platform -> agent)"),
        "push_secrets": Setting("demo:demo-egp-secret", "key_id:secret pairs accepted on pushes, comma-separated"),
        "timeout_seconds": Setting(10, "Timeout of one EGP request", int),
        "price_cache_seconds": Setting(30, "How long a live ERP price is reused", int),
        "sync_interval_minutes": Setting(1, "Incremental sync every N minutes", int),
        "full_sync_hours": Setting(24, "Full reconcile every N hours", int),
        "outbox_max_attempts": Setting(12, "Failed import attempts before an order is dead-lettered", int),
        "outbox_lease_seconds": Setting(60, "How long a worker holds an outbox row", int),
        "offline_probe_seconds": Setting(60, "While the ERP is offline, probe its health every N seconds", int),
        "feed_page_size": Setting(2000, "Rows per feed page", int),
        "images_per_product": Setting(3, "Product pictures the catalog sync fetches per product (0: none)", int),
        "live_timeout_seconds": Setting(3, "Timeout of a live price or stock query (then the synced figure)", int),
    },
)
