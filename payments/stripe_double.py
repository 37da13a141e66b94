"""A small, faithful stand-in for the parts of Stripe's HTTP API this project uses, as a real HTTP server.

Stripe cannot be reached from the machines we build and test on, and no ready fake covers Checkout. The
application talks to this server through the official `stripe` SDK, unchanged; only the API base URL differs.

    python -m payments.stripe_double --port 12111 \\
        --webhook-url http://127.0.0.1:8000/payments/stripe/webhook/  # signs with the site's webhook secret

What it serves, with Stripe's request encoding (form fields like `line_items[0][price_data][currency]`),
response shapes and error bodies:
- POST /v1/checkout/sessions, GET /v1/checkout/sessions[/<id>], POST /v1/checkout/sessions/<id>/expire
- POST /v1/refunds, GET /v1/refunds[/<id>]
- the hosted payment page /c/pay/<id>: pay, pay with a delayed outcome (bank transfer style), fail, cancel
- signed webhook delivery (`Stripe-Signature: t=…,v1=HMAC-SHA256`) of checkout.session.completed,
  .async_payment_succeeded, .async_payment_failed, .expired and charge.refunded, retried on failure
- Idempotency-Key: a repeated key returns the first response; a reused key with other parameters is an error
- for tests, POST /_double/config with JSON: {"deliver_webhooks": false} loses events (they stay listed
  at GET /_double/events), {"fail_next": 2, "fail_status": 500} or {"delay_next": 2, "delay_seconds": 5}
  makes the next API calls fail or hang.
State lives in memory: this is a test double, one process, never production.
"""

import argparse
import hashlib
import hmac
import html
import json
import os
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlparse

import django
from django.conf import settings

from core.loopback import LoopbackServer

API_VERSION = "2025-10-29.clover"
MIN_EXPIRY, MAX_EXPIRY = 30 * 60, 24 * 60 * 60
SUPPORTED_METHODS = {"card", "ideal", "bancontact", "sepa_debit"}


class StripeError(Exception):
    def __init__(self, status: int, message: str, *, type_: str = "invalid_request_error", param: str | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.status, self.body = status, {"error": {
            "type": type_, "message": message, **({"param": param} if param else {}), **({"code": code} if code else {})
        }}


def decode_form(body: str) -> dict:
    """Stripe's form encoding to nested dicts and lists: a[b][0][c]=1 → {"a": {"b": [{"c": "1"}]}}."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part, following in zip(parts, parts[1:] + [None], strict=True):
            if following is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(node):
    if isinstance(node, dict):
        if node and all(key.isdigit() for key in node):
            return [_listify(node[key]) for key in sorted(node, key=int)]
        return {key: _listify(value) for key, value in node.items()}
    return node


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


@dataclass
class Double:
    webhook_url: str = ""
    webhook_secret: str = ""
    public_url: str = ""
    deliver_webhooks: bool = True
    fail_next: int = 0
    fail_status: int = 500
    delay_next: int = 0
    delay_seconds: float = 0
    sessions: dict = field(default_factory=dict)
    refunds: dict = field(default_factory=dict)
    payments: dict = field(default_factory=dict)  # payment intent id → {"amount", "refunded", "currency", "charge"}
    events: list = field(default_factory=list)
    idempotency: dict = field(default_factory=dict)
    connections: int = 0  # opened to it: a client that keeps its connection open, as Stripe's does, opens one
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- the API ----------------------------------------------------------------------------------------

    def payments_paid_before(self, amounts: dict[str, int]) -> None:
        """Payments made before the double started (the demo's seeded ones), by payment intent id, in cents: they
        can be refunded like the others."""
        with self.lock:
            for intent_id, amount in amounts.items():
                self.payments.setdefault(intent_id, {"amount": amount, "refunded": 0, "currency": "eur",
                                                     "charge": _id("ch"), "succeeded": True})

    def session_create(self, params: dict) -> dict:
        if params.get("mode") != "payment":
            raise StripeError(400, "Missing required param: mode." if "mode" not in params
                              else "This double supports only mode=payment.", param="mode")
        if not params.get("success_url"):
            raise StripeError(400, "Missing required param: success_url.", param="success_url")
        items = params.get("line_items")
        if not isinstance(items, list) or not items:
            raise StripeError(400, "Missing required param: line_items.", param="line_items")
        total, currency = 0, None
        for index, item in enumerate(items):
            price = item.get("price_data") or {}
            try:
                amount, quantity = int(price["unit_amount"]), int(item.get("quantity", 1))
            except (KeyError, ValueError):
                raise StripeError(400, "Invalid integer: unit_amount.",
                                  param=f"line_items[{index}][price_data][unit_amount]") from None
            if not (price.get("product_data") or {}).get("name"):
                raise StripeError(400, "Missing required param: line_items[0][price_data][product_data][name].",
                                  param=f"line_items[{index}][price_data][product_data][name]")
            currency = price.get("currency", "").lower()
            total += amount * quantity
        if currency != "eur":
            raise StripeError(400, "This double supports only currency=eur.", param="currency")
        methods = params.get("payment_method_types") or ["card"]
        if unknown := set(methods) - SUPPORTED_METHODS:
            raise StripeError(400, f"Invalid payment_method_types[0]: must be one of {sorted(SUPPORTED_METHODS)}",
                              param=f"payment_method_types ({', '.join(sorted(unknown))})")
        now = int(time.time())
        expires_at = int(params.get("expires_at", now + MAX_EXPIRY))
        if not MIN_EXPIRY <= expires_at - now <= MAX_EXPIRY:
            raise StripeError(400, "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                                   "Checkout Session creation.", param="expires_at")
        session_id = _id("cs")
        session = {
            "id": session_id, "object": "checkout.session", "amount_subtotal": total, "amount_total": total,
            "cancel_url": params.get("cancel_url"), "client_reference_id": params.get("client_reference_id"),
            "created": now, "currency": currency, "customer": None,
            "customer_details": None, "customer_email": params.get("customer_email"), "expires_at": expires_at,
            "livemode": False, "locale": params.get("locale"), "metadata": params.get("metadata") or {},
            "mode": "payment", "payment_intent": None, "payment_method_types": methods,
            "payment_status": "unpaid", "status": "open", "success_url": params["success_url"],
            "url": f"{self.public_url}/c/pay/{session_id}",
            "_line_items": items,
        }
        self.sessions[session_id] = session
        return session

    def session_get(self, session_id: str) -> dict:
        self._expire_due()
        if session_id not in self.sessions:
            raise StripeError(404, f"No such checkout.session: '{session_id}'", param="session",
                              code="resource_missing")
        return self.sessions[session_id]

    def session_expire(self, session_id: str) -> dict:
        session = self.session_get(session_id)
        if session["status"] != "open":
            raise StripeError(400, 'Only Checkout Sessions with a status in ["open"] can be expired.')
        return self._expired(session)

    def session_list(self, query: dict) -> dict:
        self._expire_due()
        sessions = sorted(self.sessions.values(), key=lambda s: (s["created"], s["id"]), reverse=True)
        created = query.get("created") or {}
        if "gte" in created:
            sessions = [s for s in sessions if s["created"] >= int(created["gte"])]
        if "payment_intent" in query:
            sessions = [s for s in sessions if s["payment_intent"] == query["payment_intent"]]
        return self._page(sessions, query, "/v1/checkout/sessions")

    def refund_create(self, params: dict) -> dict:
        intent_id = params.get("payment_intent")
        if not intent_id:
            raise StripeError(400, "One of the following params should be provided for this request: "
                                   "payment_intent or charge.", param="payment_intent")
        payment = self.payments.get(intent_id)
        if payment is None:
            raise StripeError(404, f"No such payment_intent: '{intent_id}'", param="payment_intent",
                              code="resource_missing")
        remaining = payment["amount"] - payment["refunded"]
        amount = int(params.get("amount", remaining))
        if amount <= 0 or amount > remaining:
            raise StripeError(400, f"Refund amount ({amount / 100:.2f} EUR) is greater than unrefunded amount on "
                                   f"charge ({remaining / 100:.2f} EUR)", param="amount",
                              code="amount_too_large" if amount > 0 else None)
        refund = {
            "id": _id("re"), "object": "refund", "amount": amount, "charge": payment["charge"],
            "created": int(time.time()), "currency": payment["currency"], "metadata": params.get("metadata") or {},
            "payment_intent": intent_id, "reason": params.get("reason"), "status": "succeeded",
        }
        payment["refunded"] += amount
        self.refunds[refund["id"]] = refund
        self._emit("charge.refunded", self._charge(intent_id))
        return refund

    def refund_get(self, refund_id: str) -> dict:
        if refund_id not in self.refunds:
            raise StripeError(404, f"No such refund: '{refund_id}'", param="id", code="resource_missing")
        return self.refunds[refund_id]

    def refund_list(self, query: dict) -> dict:
        refunds = sorted(self.refunds.values(), key=lambda r: (r["created"], r["id"]), reverse=True)
        if "payment_intent" in query:
            refunds = [r for r in refunds if r["payment_intent"] == query["payment_intent"]]
        created = query.get("created") or {}
        if "gte" in created:
            refunds = [r for r in refunds if r["created"] >= int(created["gte"])]
        return self._page(refunds, query, "/v1/refunds")

    # -- the hosted page's outcomes --------------------------------------------------------------------------

    def pay(self, session_id: str, outcome: str) -> str:
        """outcome: paid, delayed_paid, delayed_failed. Returns where the browser goes next."""
        session = self.session_get(session_id)
        if session["status"] != "open":
            raise StripeError(400, "This Checkout Session is no longer open.")
        intent_id = _id("pi")
        session.update(status="complete", url=None, payment_intent=intent_id,
                       payment_status="paid" if outcome == "paid" else "unpaid",
                       customer_details={"email": session["customer_email"]})
        self.payments[intent_id] = {"amount": session["amount_total"], "refunded": 0,
                                    "currency": session["currency"], "charge": _id("ch"), "succeeded": False}
        self._emit("checkout.session.completed", session)
        if outcome == "paid":
            self.payments[intent_id]["succeeded"] = True
        elif outcome == "delayed_paid":
            session["payment_status"] = "paid"
            self.payments[intent_id]["succeeded"] = True
            self._emit("checkout.session.async_payment_succeeded", session)
        else:
            self._emit("checkout.session.async_payment_failed", session)
        return session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)

    # -- helpers ----------------------------------------------------------------------------------------------

    def _expired(self, session: dict) -> dict:
        session.update(status="expired", url=None)
        self._emit("checkout.session.expired", session)
        return session

    def _expire_due(self) -> None:
        now = time.time()
        for session in list(self.sessions.values()):
            if session["status"] == "open" and session["expires_at"] <= now:
                self._expired(session)

    def _charge(self, intent_id: str) -> dict:
        payment = self.payments[intent_id]
        return {"id": payment["charge"], "object": "charge", "amount": payment["amount"],
                "amount_refunded": payment["refunded"], "currency": payment["currency"],
                "payment_intent": intent_id, "refunded": payment["refunded"] == payment["amount"],
                "refunds": {"object": "list", "data": [r for r in self.refunds.values()
                                                       if r["payment_intent"] == intent_id]}}

    @staticmethod
    def _page(items: list, query: dict, url: str) -> dict:
        limit = max(1, min(int(query.get("limit", 10)), 100))
        if after := query.get("starting_after"):
            ids = [item["id"] for item in items]
            items = items[ids.index(after) + 1:] if after in ids else []
        return {"object": "list", "data": [public(item) for item in items[:limit]], "has_more": len(items) > limit,
                "url": url}

    def _emit(self, event_type: str, obj: dict) -> None:
        event = {"id": _id("evt"), "object": "event", "api_version": API_VERSION, "created": int(time.time()),
                 "data": {"object": public(obj)}, "livemode": False, "pending_webhooks": 1,
                 "request": {"id": None, "idempotency_key": None}, "type": event_type}
        self.events.append(event)
        if self.deliver_webhooks and self.webhook_url:
            threading.Thread(target=self.deliver, args=(event,), daemon=True).start()

    def deliver(self, event: dict, attempts: int = 5) -> int:
        """Posts the event, signed as Stripe signs it; retries with backoff as Stripe does (faster)."""
        status = 0
        for attempt in range(attempts):
            body = json.dumps(event).encode()
            request = urllib.request.Request(self.webhook_url, data=body, method="POST", headers={  # noqa: S310 (http only)
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                "Stripe-Signature": sign(body, self.webhook_secret)})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            if 200 <= status < 300:
                return status
            time.sleep(0.2 * 2 ** attempt)
        return status


def public(obj: dict) -> dict:
    return {key: value for key, value in obj.items() if not key.startswith("_")}


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test payment · Stripe test double</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}}
.banner{{background:#ffe8b3;padding:.5rem 1rem;border-radius:6px}}button{{display:block;width:100%;margin:.6rem 0;
padding:.8rem;font-size:1rem;border-radius:6px;border:1px solid #635bff;background:#fff;cursor:pointer}}
button.primary{{background:#635bff;color:#fff}}</style></head><body>
<p class="banner">Test payments: no real money moves. This page stands in for Stripe Checkout.</p>
<h1>{name}</h1><p>Total: <strong>€ {amount}</strong></p><p>Methods: {methods}</p>
<form method="post" action="/c/pay/{id}">
<button class="primary" name="outcome" value="paid">Pay € {amount}</button>
<button name="outcome" value="delayed_paid">Pay with a delayed confirmation</button>
<button name="outcome" value="delayed_failed">Payment fails</button>
<button name="outcome" value="cancel">Cancel and go back</button>
</form></body></html>"""


class Handler(BaseHTTPRequestHandler):
    server_version = "stripe-double/1"
    protocol_version = "HTTP/1.1"  # as Stripe's API: a connection stays open for the client's next request
    # An answer's headers and body are two writes: without TCP_NODELAY the body would wait for the client's
    # delayed acknowledgement of the headers (40 ms) on a kept connection.
    disable_nagle_algorithm = True
    timeout = 60  # an idle kept connection is closed, as Stripe closes them (and its thread ends)
    double: Double

    def setup(self):
        super().setup()
        with self.double.lock:
            self.double.connections += 1

    def log_message(self, *args):  # quiet: tests and the demo read their own logs
        pass

    def _send(self, status: int, body: dict | str, content_type: str = "application/json",
              headers: dict | None = None) -> None:
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> str:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def _handle(self, method: str) -> None:
        url = urlparse(self.path)
        double = self.double
        body = self._body() if method == "POST" else ""
        try:
            with double.lock:
                if url.path.startswith("/v1/"):
                    status, result = self._api(method, url, body)
                    self._send(status, result)
                elif url.path.startswith("/c/pay/"):
                    self._page(method, url.path.removeprefix("/c/pay/"), body)
                elif url.path == "/_double/config" and method == "POST":
                    for name, value in json.loads(body or "{}").items():
                        setattr(double, name, value)
                    self._send(200, {"ok": True})
                elif url.path == "/_double/events":
                    self._send(200, {"data": double.events})
                else:
                    raise StripeError(404, f"Unrecognized request URL ({method}: {url.path}).")
        except StripeError as error:
            self._send(error.status, error.body)

    def _api(self, method: str, url, body: str) -> tuple[int, dict]:
        double = self.double
        if not (self.headers.get("Authorization") or "").startswith("Bearer sk_"):
            raise StripeError(401, "You did not provide an API key. You need to provide your API key in the "
                                   "Authorization header, using Bearer auth.")
        if double.delay_next > 0:
            double.delay_next -= 1
            double.lock.release()
            try:
                time.sleep(double.delay_seconds)
            finally:
                double.lock.acquire()
        if double.fail_next > 0:
            double.fail_next -= 1
            raise StripeError(double.fail_status, "An unknown error occurred", type_="api_error")
        params = decode_form(body if method == "POST" else url.query)
        key = self.headers.get("Idempotency-Key")
        if method == "POST" and key:
            seen = double.idempotency.get(key)
            if seen is not None:
                if seen[0] != (url.path, params):
                    raise StripeError(400, "Keys for idempotent requests can only be used with the same "
                                           "parameters they were first used with.", type_="idempotency_error")
                return seen[1], seen[2]
        status, result = 200, self._route(method, url.path, params)
        if method == "POST" and key:
            double.idempotency[key] = ((url.path, params), status, result)
        return status, result

    def _route(self, method: str, path: str, params: dict) -> dict:
        double = self.double
        parts = path.strip("/").split("/")[1:]  # without "v1"
        match method, parts:
            case "POST", ["checkout", "sessions"]:
                return public(double.session_create(params))
            case "GET", ["checkout", "sessions"]:
                return double.session_list(params)
            case "GET", ["checkout", "sessions", session_id]:
                return public(double.session_get(session_id))
            case "POST", ["checkout", "sessions", session_id, "expire"]:
                return public(double.session_expire(session_id))
            case "POST", ["refunds"]:
                return double.refund_create(params)
            case "GET", ["refunds"]:
                return double.refund_list(params)
            case "GET", ["refunds", refund_id]:
                return double.refund_get(refund_id)
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    def _page(self, method: str, session_id: str, body: str) -> None:
        session = self.double.session_get(session_id)
        if method == "POST":
            outcome = dict(parse_qsl(body)).get("outcome", "")
            if outcome == "cancel":
                target = session["cancel_url"] or session["success_url"]
            elif outcome in ("paid", "delayed_paid", "delayed_failed"):
                target = self.double.pay(session_id, outcome)
            else:
                raise StripeError(400, "Unknown outcome.")
            self._send(303, "", "text/plain", {"Location": target})
            return
        if session["status"] != "open":
            self._send(410, "<!doctype html><title>Expired</title><p>This payment page is no longer open.</p>",
                       "text/html; charset=utf-8")
            return
        item = session["_line_items"][0]["price_data"]
        self._send(200, PAGE.format(id=html.escape(session_id), name=html.escape(item["product_data"]["name"]),
                                    amount=f"{session['amount_total'] / 100:.2f}".replace(".", ","),
                                    methods=html.escape(", ".join(session["payment_method_types"]))),
                   "text/html; charset=utf-8")


class StripeDoubleServer(LoopbackServer):
    """The double on a loopback port, in a thread: `with StripeDoubleServer(...) as stripe_double: ...`."""

    def __init__(self, *, port: int = 0, webhook_url: str = "", webhook_secret: str = ""):
        super().__init__(Double(webhook_url=webhook_url, webhook_secret=webhook_secret), Handler, port=port)
        self.url = self.double.public_url = self.base_url


def site_webhook_secret() -> str:
    """The secret the site checks webhooks with (its Django settings), which Stripe would sign with."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
    django.setup()
    return settings.STRIPE_WEBHOOK_SECRET


def server_from_args(argv: list[str] | None = None) -> tuple["StripeDoubleServer", argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", default="http://127.0.0.1:8000/payments/stripe/webhook/")
    parser.add_argument("--webhook-secret", help="default: the site's STRIPE_WEBHOOK_SECRET (its settings)")
    parser.add_argument("--payments-file", help="JSON {payment intent id: cents} of payments made before it started")
    args = parser.parse_args(argv)
    secret = args.webhook_secret or site_webhook_secret()
    return StripeDoubleServer(port=args.port, webhook_url=args.webhook_url, webhook_secret=secret), args


def main() -> None:
    server, args = server_from_args()
    if args.payments_file and os.path.exists(args.payments_file):
        with open(args.payments_file) as known:
            server.double.payments_paid_before(json.load(known))
    print(f"Stripe test double on {server.url}, webhooks to {args.webhook_url}", flush=True)  # noqa: T201
    server.serve_until_interrupted()


if __name__ == "__main__":
    main()
