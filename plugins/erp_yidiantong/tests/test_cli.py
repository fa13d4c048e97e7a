"""``erp_sim_command`` (``ydt erp-sim``) runs the simulator alone, loaded with the demo factory."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

from click.testing import CliRunner

from plugins.erp_yidiantong.egp.client import EgpClient, ErpOffline
from plugins.erp_yidiantong.simulator.cli import erp_sim_command, push_url, start_simulator
from plugins.erp_yidiantong.tests.helpers import KEY_ID, SECRET


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_help_names_the_options():
    result = CliRunner().invoke(erp_sim_command, ["--help"])
    assert result.exit_code == 0
    for option in ("--port", "--data-dir", "--platform-url", "--key-id", "--secret", "--no-demo-data"):
        assert option in result.output


def test_push_url_is_the_platform_endpoint():
    assert push_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/api/v1/erp/events"
    assert push_url(None) is None


def test_start_simulator_loads_the_demo_once(tmp_path):
    port = _free_port()
    app, server, loaded = start_simulator("127.0.0.1", port, tmp_path / "sim")
    try:
        assert loaded is True
        client = EgpClient(f"http://127.0.0.1:{port}", KEY_ID, SECRET)
        assert client.feed("customers", limit=1).items[0]["code"]
    finally:
        server.shutdown()
        server.server_close()
        app.close()
    port = _free_port()
    app, server, loaded = start_simulator("127.0.0.1", port, tmp_path / "sim")
    try:
        assert loaded is False  # same data dir: the factory is already there
    finally:
        server.shutdown()
        server.server_close()
        app.close()


def test_the_command_serves_until_interrupted(tmp_path):
    port = _free_port()
    code = "from plugins.erp_yidiantong.simulator.cli import erp_sim_command; erp_sim_command()"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "--port", str(port), "--data-dir", str(tmp_path / "sim")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # A shell without job control starts background jobs with SIGINT ignored, and the
        # child would inherit that: give it Ctrl-C back, as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    client = EgpClient(f"http://127.0.0.1:{port}", KEY_ID, SECRET, timeout=2)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = client.health()
                break
            except ErpOffline:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "the simulator did not come up"
                time.sleep(0.2)
        assert health["erp_online"] is True
        assert len(client.feed("accounts", limit=100).items) > 0
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "loaded the demo factory into the ERP" in output
    assert f"http://127.0.0.1:{port}/egp/v1/health" in output
    assert "stopping" in output
    assert (tmp_path / "sim" / "erp-sim.sqlite3").exists()
