"""A small obs-websocket v5 client (python3-websocket): Hello/Identify without auth, requests,
vendor requests, and the events that arrive in between. Bounded: every read has a timeout."""

import itertools
import json
import socket
import time

import websocket  # python3-websocket

EVENT_SUB_VENDORS = 1 << 9  # obs-websocket EventSubscription::Vendors
EVENT_SUB_OUTPUTS = 1 << 6


def free_port():
    """A loopback port nobody listens on now (the caller's private network namespace)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ObsWebsocket:
    def __init__(self, port, timeout=60, subscriptions=EVENT_SUB_VENDORS | EVENT_SUB_OUTPUTS):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.ws = websocket.create_connection("ws://127.0.0.1:%d" % port, timeout=10,
                                                      subprotocols=["obswebsocket.json"])
                break
            except (OSError, websocket.WebSocketException):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)  # polling until obs-websocket listens (bounded by the deadline)
        self.ids = itertools.count(1)
        self.events = []
        hello = self._recv()
        if hello.get("op") != 0:
            raise RuntimeError("expected Hello, got %r" % hello)
        self.rpc = hello["d"]["rpcVersion"]
        self._send(1, {"rpcVersion": self.rpc, "eventSubscriptions": subscriptions})
        identified = self._recv()
        if identified.get("op") != 2:
            raise RuntimeError("expected Identified, got %r" % identified)

    def _send(self, op, data):
        self.ws.send(json.dumps({"op": op, "d": data}))

    def _recv(self, timeout=30):
        self.ws.settimeout(timeout)
        return json.loads(self.ws.recv())

    NOT_READY = 207  # obs-websocket RequestStatus::NotReady: OBS is still finishing its start-up

    def request(self, request_type, data=None, timeout=30):
        """Returns (ok, responseData, status) of one request; events seen meanwhile are kept.
        Retries while OBS answers NotReady (bounded by `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            ok, resp, status = self._request_once(request_type, data, max(1.0, deadline - time.monotonic()))
            if status.get("code") != self.NOT_READY or time.monotonic() > deadline:
                return ok, resp, status
            time.sleep(0.2)  # polling until OBS reports ready, bounded by the deadline

    def _request_once(self, request_type, data, timeout):
        rid = "r%d" % next(self.ids)
        self._send(6, {"requestType": request_type, "requestId": rid, "requestData": data or {}})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self._recv(max(0.1, deadline - time.monotonic()))
            if msg.get("op") == 5:
                self.events.append(msg["d"])
            elif msg.get("op") == 7 and msg["d"].get("requestId") == rid:
                status = msg["d"]["requestStatus"]
                return status.get("result", False), msg["d"].get("responseData") or {}, status
        raise TimeoutError("no answer to %s within %ss" % (request_type, timeout))

    def vendor(self, vendor_name, request_type, data=None, timeout=30):
        ok, resp, status = self.request("CallVendorRequest", {"vendorName": vendor_name, "requestType": request_type,
                                                              "requestData": data or {}}, timeout)
        if not ok:
            raise RuntimeError("vendor request %s failed: %r" % (request_type, status))
        return resp.get("responseData") or {}

    def drain(self, seconds=0.2):
        """Collects events already sent (bounded)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                msg = self._recv(max(0.05, deadline - time.monotonic()))
            except (websocket.WebSocketTimeoutException, socket.timeout):
                break
            if msg.get("op") == 5:
                self.events.append(msg["d"])

    def vendor_events(self, vendor_name, event_type):
        return [e["eventData"]["eventData"] for e in self.events
                if e.get("eventType") == "VendorEvent" and e["eventData"].get("vendorName") == vendor_name
                and e["eventData"].get("eventType") == event_type]

    def close(self):
        try:
            self.ws.close()
        except Exception:  # closing a socket OBS already dropped
            pass
