"""Budget: product list API (20 priced items) >= 0.3 x a bare Falcon hello.

Both run under the same gunicorn settings (2 sync workers) on this machine,
in the same run. Usage: ``.venv/bin/python bench/product_list.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Gunicorn, get_json, load, post_json, report, wait_http  # noqa: E402


def prepare(data_dir: Path) -> None:
    from core.app import create_app
    from core.demo import load_demo_data
    from core.settings import load_settings

    app = create_app(load_settings(environ={}, data_dir=data_dir))
    load_demo_data(app.ctx)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        prepare(data_dir)
        hello = Gunicorn("bench.hello:app")
        platform = Gunicorn("core.wsgi:application", env={"YDT_DATA_DIR": str(data_dir), "DATABASE_URL": ""})
        try:
            wait_http(hello.url + "/hello")
            wait_http(platform.url + "/api/v1/health")
            token = post_json(
                platform.url + "/api/v1/auth/login", {"username": "dealer1", "password": "demo1234"}
            )["token"]
            auth = {"Authorization": f"Bearer {token}"}
            url = platform.url + "/api/v1/products?per_page=20"
            page = get_json(url, auth)
            assert len(page["items"]) == 20 and all("price" in item for item in page["items"]), page
            load(hello.url + "/hello", seconds=2)  # warm up
            load(url, seconds=2, headers=auth)
            baseline = load(hello.url + "/hello")
            measured = load(url, headers=auth)
        finally:
            hello.stop()
            platform.stop()
    return 0 if report("product list (20 priced items)", measured, baseline, 0.3) else 1


if __name__ == "__main__":
    sys.exit(main())
