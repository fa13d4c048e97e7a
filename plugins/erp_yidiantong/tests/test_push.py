"""Event push to the platform: signed, in order, retried, never lost, odd on request."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest

from plugins.erp_yidiantong.egp import signing
from plugins.erp_yidiantong.egp.push import PushFailed, push_events
from plugins.erp_yidiantong.egp.shapes import PUSH_PATH
from plugins.erp_yidiantong.simulator import load_dataset
from plugins.erp_yidiantong.tests.helpers import KEY_ID, SECRET, Control, wait_until


class Receiver:
    """A stand-in for the platform's push endpoint that checks signatures.

    ``script`` holds the answers to give before accepting (status codes);
    ``reject_ids`` are answered as rejected in a 200.
    """

    def __init__(self) -> None:
        self.keyring = signing.Keyring.single(KEY_ID, SECRET)
        self.nonces = signing.MemoryNonceStore()
        self.batches: list[list[dict]] = []
        self.refused: list[str] = []
        self.script: list[int] = []
        self.reject_ids: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        headers = {k[5:].replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
        target = signing.canonical_target(environ["PATH_INFO"], environ.get("QUERY_STRING", ""))
        with self.lock:
            try:
                signing.verify_request(
                    headers, environ["REQUEST_METHOD"], target, body, self.keyring, self.nonces
                )
            except signing.SignatureError as ex:
                self.refused.append(ex.code)
                return self._answer(start_response, 401, {"code": ex.code})
            if self.script:
                status = self.script.pop(0)
                return self._answer(start_response, status, {"code": "SCRIPTED"})
            events = json.loads(body)["events"]
            self.batches.append(events)
            rejected = [e["id"] for e in events if e["id"] in self.reject_ids]
            if rejected:
                results = [
                    {"id": e["id"], "status": "rejected" if e["id"] in rejected else "accepted"}
                    for e in events
                ]
                return self._answer(start_response, 200, {"results": results})
            start_response("204 No Content", [])
            return [b""]

    @staticmethod
    def _answer(start_response, status, body):
        data = json.dumps(body).encode()
        start_response(
            f"{status} X", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        return [data]

    def ids(self) -> list[str]:
        with self.lock:
            return [e["id"] for batch in self.batches for e in batch]



@pytest.fixture
def receiver(serve):
    receiver = Receiver()
    receiver.url = serve(receiver) + PUSH_PATH
    return receiver


@pytest.fixture
def pushing_sim(make_sim, receiver, dataset, session_hasher):
    sim = make_sim(platform_push_url=receiver.url)
    load_dataset(sim, dataset, password_hasher=session_hasher)
    return sim


def _feed_ids(control) -> list[str]:
    return [e["id"] for e in control.ok("GET", "events")["items"]]


def test_new_events_are_pushed_signed_and_in_feed_order(pushing_sim, receiver):
    control = Control(pushing_sim)
    wait_until(lambda: len(receiver.ids()) == len(_feed_ids(control)))
    control.ok("POST", "stock", {"sku": "S-801", "on_hand": 3})
    control.ok("POST", "customers/C0003", {"discount_rate": "0.9"})
    wait_until(lambda: len(receiver.ids()) == len(_feed_ids(control)))
    assert receiver.ids() == _feed_ids(control)
    assert receiver.refused == []
    status = control.ok("GET", "status")["push"]
    assert status["pending"] == 0 and status["failures"] == 0
    assert status["events"] == len(receiver.ids())


def test_failed_pushes_are_retried_and_nothing_is_lost(pushing_sim, receiver):
    control = Control(pushing_sim)
    wait_until(lambda: len(receiver.ids()) == len(_feed_ids(control)))
    receiver.script = [503, 500, 429]
    for on_hand in (1, 2, 3):
        control.ok("POST", "stock", {"sku": "S-801", "on_hand": on_hand})
    wait_until(lambda: len(receiver.ids()) == len(_feed_ids(control)))
    assert receiver.ids() == _feed_ids(control)
    pushed = [
        e["data"]["on_hand"] for batch in receiver.batches for e in batch if e["type"] == "stock.changed"
    ]
    assert pushed == [1, 2, 3]
    status = control.ok("GET", "status")["push"]
    assert status["failures"] == 3 and "HTTP 429" in status["last_error"]


def test_offline_holds_pushes_until_online(pushing_sim, receiver):
    control = Control(pushing_sim)
    wait_until(lambda: len(receiver.ids()) == len(_feed_ids(control)))
    delivered = len(receiver.ids())
    control.ok("POST", "offline")
    control.ok("POST", "stock", {"sku": "S-801", "on_hand": 11})
    time.sleep(1.5)
    assert len(receiver.ids()) == delivered
    assert control.ok("GET", "status")["push"]["pending"] == 1
    control.ok("POST", "online")
    wait_until(lambda: len(receiver.ids()) == delivered + 1)


def test_duplicate_and_reversed_pushes_on_request(pushing_sim, receiver):
    control = Control(pushing_sim)
    wait_until(lambda: len(receiver.ids()) == len(_feed_ids(control)))
    receiver.batches.clear()
    control.ok("POST", "faults", {"push_duplicates": True, "push_reverse": True, "push_paused": True})
    control.ok("POST", "stock", {"sku": "S-801", "on_hand": 1})
    control.ok("POST", "stock", {"sku": "S-801", "on_hand": 2})
    control.ok("POST", "faults", {"push_paused": False})
    wait_until(lambda: len(receiver.batches) == 2)
    first, second = receiver.batches
    assert first == second
    assert [e["data"]["on_hand"] for e in first] == [2, 1]


def test_a_refused_batch_does_not_block_the_queue(pushing_sim, receiver):
    control = Control(pushing_sim)
    wait_until(lambda: len(receiver.ids()) == len(_feed_ids(control)))
    receiver.script = [400]
    control.ok("POST", "stock", {"sku": "S-801", "on_hand": 5})
    wait_until(lambda: control.ok("GET", "status")["push"]["rejected"] == 1)
    control.ok("POST", "stock", {"sku": "S-801", "on_hand": 6})
    wait_until(lambda: receiver.ids()[-1] == _feed_ids(control)[-1])
    assert _feed_ids(control)[-2] not in receiver.ids()  # refused, still in the pull feed


def test_events_the_platform_rejects_are_marked_and_the_rest_delivered(pushing_sim, receiver):
    control = Control(pushing_sim)
    wait_until(lambda: len(receiver.ids()) == len(_feed_ids(control)))
    template = control.ok("GET", "events")["items"][0]
    bad = {**template, "id": "bad-one", "seq": 1000}
    good = {**template, "id": "good-one", "seq": 1001}
    receiver.reject_ids = {"bad-one"}
    control.ok("POST", "events", {"events": [bad, good], "push": True})
    wait_until(lambda: "good-one" in receiver.ids())
    status = control.ok("GET", "status")["push"]
    assert status["rejected"] == 1 and status["pending"] == 0


def test_control_events_are_pushed_exactly_as_given(pushing_sim, receiver):
    control = Control(pushing_sim)
    wait_until(lambda: len(receiver.ids()) == len(_feed_ids(control)))
    receiver.batches.clear()
    template = control.ok("GET", "events")["items"][0]
    later = {**template, "id": "evt-2", "seq": 7}
    earlier = {**template, "id": "evt-1", "seq": 6}
    control.ok("POST", "events", {"events": [later, earlier, later], "push": True})
    control.ok("POST", "events", {"events": [earlier], "push": False})
    wait_until(lambda: len(receiver.ids()) == 3)
    time.sleep(0.3)
    assert receiver.batches == [[later, earlier, later]]


def test_a_skewed_clock_is_refused_as_stale_and_retried(pushing_sim, receiver):
    control = Control(pushing_sim)
    wait_until(lambda: len(receiver.ids()) == len(_feed_ids(control)))
    control.ok("POST", "faults", {"clock_skew_s": 400})
    control.ok("POST", "stock", {"sku": "S-801", "on_hand": 8})
    wait_until(lambda: "STALE" in receiver.refused)
    control.ok("POST", "faults", {"clock_skew_s": 0})
    wait_until(lambda: receiver.ids()[-1] == _feed_ids(control)[-1])


def test_push_through_an_in_process_transport(make_sim, dataset, session_hasher):
    received = []

    def transport(url, headers, body):
        target = signing.canonical_target("/api/v1/erp/events")
        signing.verify_request(
            headers, "POST", target, body, signing.Keyring.single(KEY_ID, SECRET), signing.MemoryNonceStore()
        )
        received.extend(json.loads(body)["events"])
        return 204, b""

    sim = make_sim(platform_push_url="http://platform.invalid/api/v1/erp/events", push_transport=transport)
    load_dataset(sim, dataset, password_hasher=session_hasher)
    control = Control(sim)
    wait_until(lambda: [e["id"] for e in received] == _feed_ids(control))
    wait_until(lambda: control.ok("GET", "status")["push"]["last_push_at"] is not None)
    last_push_at = control.ok("GET", "status")["push"]["last_push_at"]
    assert last_push_at.endswith("+08:00"), last_push_at  # the simulator answers in Asia/Shanghai
    assert abs(dt.datetime.fromisoformat(last_push_at).timestamp() - time.time()) < 60


def test_push_events_validates_the_batch_and_the_answer(receiver):
    envelope = {
        "id": "x",
        "type": "stock.changed",
        "stream": "stock",
        "seq": 1,
        "occurred_at": "t",
        "data": {},
    }
    with pytest.raises(ValueError):
        push_events(receiver.url, KEY_ID, SECRET, [])
    with pytest.raises(ValueError):
        push_events(receiver.url, KEY_ID, SECRET, [envelope] * 101)
    assert push_events(receiver.url, KEY_ID, SECRET, [envelope]).status == 204
    with pytest.raises(PushFailed) as excinfo:
        push_events(receiver.url, KEY_ID, "wrong", [envelope])
    assert excinfo.value.status == 401 and excinfo.value.retryable
    receiver.script = [404]
    with pytest.raises(PushFailed) as excinfo:
        push_events(receiver.url, KEY_ID, SECRET, [envelope])
    assert excinfo.value.retryable is False
    with pytest.raises(PushFailed) as excinfo:
        push_events("http://127.0.0.1:9/api/v1/erp/events", KEY_ID, SECRET, [envelope], timeout=2)
    assert excinfo.value.retryable
