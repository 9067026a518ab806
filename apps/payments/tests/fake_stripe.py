"""A fake of Stripe's HTTP API on localhost, so the Stripe gateway's real SDK calls can be tested offline.

It implements what `apps.payments.gateways.stripe` uses (customers, attaching test cards, PaymentIntents with manual
capture, cancel, refunds, Connect transfers), answers in Stripe's JSON shapes and error format, checks the secret
key, records every request with its `Idempotency-Key`, and replays the stored answer when a key comes back, as Stripe
does. Its card list is its own, written from Stripe's documented test cards, not imported from the sandbox.

Use the `fake_stripe` fixture (import `fake_stripe_fixture` into a test module, or name this module in the root
conftest's `pytest_plugins`): it points the settings at the fake, makes `get_gateway()` the Stripe gateway, and puts
everything back afterwards.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

from apps.payments.gateways import get_gateway

SECRET_KEY = "sk_test_fake_51FakeStripeSecretKey"
HOST_ACCOUNT = "acct_1FakeHostAccount"
STRIPE_GATEWAY = "apps.payments.gateways.stripe.StripeGateway"

# Stripe's test PaymentMethods: brand, last four digits, and for declining cards the error's code and decline_code.
TEST_CARDS: dict[str, tuple[str, str, str, str]] = {
    "pm_card_visa": ("visa", "4242", "", ""),
    "pm_card_mastercard": ("mastercard", "4444", "", ""),
    "pm_card_amex": ("amex", "8431", "", ""),
    "pm_card_chargeDeclined": ("visa", "0002", "card_declined", "generic_decline"),
    "pm_card_visa_chargeDeclined": ("visa", "0002", "card_declined", "generic_decline"),
    "pm_card_insufficientFunds": ("visa", "9995", "card_declined", "insufficient_funds"),
    "pm_card_chargeDeclinedInsufficientFunds": ("visa", "9995", "card_declined", "insufficient_funds"),
    "pm_card_visa_chargeDeclinedInsufficientFunds": ("visa", "9995", "card_declined", "insufficient_funds"),
}
DECLINE_MESSAGES = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
}
CANCELABLE = {"requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing"}


class StripeApiError(Exception):
    """An error answer: `{"error": {...}}` with an HTTP status, as Stripe sends them."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error", **fields: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type, "message": message, **fields}}


def missing(kind: str, object_id: str, param: str, status: int = 400) -> StripeApiError:
    return StripeApiError(status, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


@dataclass
class RecordedRequest:
    method: str
    path: str
    idempotency_key: str | None
    authorization: str
    params: dict[str, Any]
    status: int = 0
    replayed: bool = False


def parse_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding: `metadata[booking]=X` is a dict, `payment_method_types[0]=card` a list."""
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        root, _, rest = key.partition("[")
        parts = [root] + (re.findall(r"([^\[\]]*)\]", "[" + rest) if rest else [])
        node = params
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def lists(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        node = {key: lists(value) for key, value in node.items()}
        if node and all(key.isdigit() for key in node):
            return [node[key] for key in sorted(node, key=int)]
        return node

    return lists(params)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _amount(params: dict[str, Any], name: str = "amount", *, required: bool = True) -> int | None:
    if name not in params:
        if required:
            raise StripeApiError(400, f"Missing required param: {name}.", code="parameter_missing", param=name)
        return None
    value = params[name]
    if not re.fullmatch(r"[0-9]+", value) or int(value) <= 0:
        raise StripeApiError(400, f"Invalid positive integer: {value}", code="parameter_invalid_integer", param=name)
    return int(value)


def _currency(params: dict[str, Any]) -> str:
    currency = params.get("currency", "")
    if not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise StripeApiError(400, f"Invalid currency: {currency}.", code="parameter_invalid", param="currency")
    return currency.lower()


def signature_header(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send with `payload`, signed with `secret`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def event_payload(event_type: str, data_object: dict[str, Any], *, event_id: str | None = None) -> bytes:
    """The body of a webhook event as Stripe posts it."""
    event = {
        "id": event_id or _new_id("evt"),
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "api_version": stripe.api_version,
        "data": {"object": data_object},
    }
    return json.dumps(event).encode()


@dataclass
class FakeStripe:
    requests: list[RecordedRequest] = field(default_factory=list)
    customers: dict[str, dict] = field(default_factory=dict)
    payment_methods: dict[str, dict] = field(default_factory=dict)
    payment_intents: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    transfers: dict[str, dict] = field(default_factory=dict)
    connected_accounts: set[str] = field(default_factory=lambda: {HOST_ACCOUNT})
    url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], tuple[str, int, dict]] = {}
        self._cards: dict[str, str] = {}  # saved payment method id -> the test token it was made from
        self._server: ThreadingHTTPServer | None = None
        self._routes = [
            ("POST", re.compile(r"^/v1/customers$"), self._create_customer),
            ("POST", re.compile(r"^/v1/payment_methods/(?P<id>[^/]+)/attach$"), self._attach_payment_method),
            ("POST", re.compile(r"^/v1/payment_intents$"), self._create_payment_intent),
            ("POST", re.compile(r"^/v1/payment_intents/(?P<id>[^/]*)/capture$"), self._capture_payment_intent),
            ("POST", re.compile(r"^/v1/payment_intents/(?P<id>[^/]*)/cancel$"), self._cancel_payment_intent),
            ("POST", re.compile(r"^/v1/refunds$"), self._create_refund),
            ("POST", re.compile(r"^/v1/transfers$"), self._create_transfer),
        ]

    # --- Running -----------------------------------------------------------------------------------------------

    def start(self) -> str:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def requests_to(self, method: str, path_pattern: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and re.fullmatch(path_pattern, r.path)]

    # --- One request -------------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], body: str) -> tuple[int, dict, dict[str, str]]:
        with self._lock:
            params = parse_form(body)
            key = headers.get("idempotency-key")
            authorization = headers.get("authorization", "")
            record = RecordedRequest(method, path, key, authorization, params)
            self.requests.append(record)
            status, answer, extra = self._answer(method, path, key, authorization, params, record)
            record.status = status
            return status, answer, extra

    def _answer(self, method, path, key, authorization, params, record) -> tuple[int, dict, dict[str, str]]:
        api_key = authorization.removeprefix("Bearer ")
        if not authorization.startswith("Bearer ") or not re.fullmatch(r"sk_test_\w+", api_key):
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}}, {}
        fingerprint = json.dumps([method, path, params], sort_keys=True)
        if key and (api_key, key) in self._answers:
            first, status, answer = self._answers[(api_key, key)]
            if first != fingerprint:
                message = (
                    "Keys for idempotent requests can only be used with the same parameters they were first used "
                    f"with. Try using a key other than '{key}' if you meant to execute a different request."
                )
                return 400, {"error": {"type": "idempotency_error", "message": message}}, {}
            record.replayed = True
            return status, answer, {"Idempotent-Replayed": "true"}
        try:
            status, answer = 200, self._route(method, path, params)
        except StripeApiError as error:
            status, answer = error.status, error.body
        if key:
            self._answers[(api_key, key)] = (fingerprint, status, answer)
        return status, answer, {}

    def _route(self, method: str, path: str, params: dict[str, Any]) -> dict:
        for route_method, pattern, action in self._routes:
            match = pattern.match(path)
            if match and route_method == method:
                return action(params, **match.groupdict())
        raise StripeApiError(404, f"Unrecognized request URL ({method}: {path}).")

    # --- Customers and cards -----------------------------------------------------------------------------------

    def _create_customer(self, params: dict[str, Any]) -> dict:
        customer = {
            "id": _new_id("cus"),
            "object": "customer",
            "email": params.get("email"),
            "created": int(time.time()),
            "livemode": False,
            "metadata": params.get("metadata", {}),
        }
        self.customers[customer["id"]] = customer
        return customer

    def _attach_payment_method(self, params: dict[str, Any], id: str) -> dict:
        customer = params.get("customer")
        if not customer:
            raise StripeApiError(400, "Missing required param: customer.", code="parameter_missing", param="customer")
        if customer not in self.customers:
            raise missing("customer", customer, "customer")
        if id in TEST_CARDS:
            brand, last4, _, _ = TEST_CARDS[id]
            method = {
                "id": _new_id("pm"),
                "object": "payment_method",
                "type": "card",
                "card": {
                    "brand": brand,
                    "last4": last4,
                    "exp_month": 12,
                    "exp_year": time.gmtime().tm_year + 3,
                    "funding": "credit",
                    "country": "US",
                },
                "created": int(time.time()),
                "livemode": False,
                "metadata": {},
            }
            self.payment_methods[method["id"]] = method
            self._cards[method["id"]] = id
        elif id in self.payment_methods:
            method = self.payment_methods[id]
            if method.get("customer") not in (None, customer):
                raise StripeApiError(
                    400, "This PaymentMethod is already attached to another customer.", param="payment_method"
                )
        else:
            raise missing("PaymentMethod", id, "payment_method")
        method["customer"] = customer
        return method

    # --- Payments ----------------------------------------------------------------------------------------------

    def _create_payment_intent(self, params: dict[str, Any]) -> dict:
        amount = _amount(params)
        currency = _currency(params)
        if amount is not None and amount < 50:
            raise StripeApiError(400, "Amount must be at least $0.50 usd", code="amount_too_small", param="amount")
        customer = params.get("customer")
        if customer and customer not in self.customers:
            raise missing("customer", customer, "customer")
        method_id = params.get("payment_method", "")
        if method_id in TEST_CARDS:
            token = method_id
        elif method_id in self.payment_methods:
            token = self._cards[method_id]
            if self.payment_methods[method_id].get("customer") != customer:
                raise StripeApiError(
                    400,
                    "The provided PaymentMethod belongs to another Customer, or to none; pass its customer.",
                    param="payment_method",
                )
        else:
            raise missing("PaymentMethod", method_id, "payment_method")
        capture_method = params.get("capture_method", "automatic")
        confirm = params.get("confirm") == "true"
        intent = {
            "id": _new_id("pi"),
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "currency": currency,
            "status": "requires_confirmation",
            "capture_method": capture_method,
            "confirmation_method": "automatic",
            "customer": customer,
            "payment_method": method_id,
            "payment_method_types": params.get("payment_method_types", ["card"]),
            "description": params.get("description"),
            "metadata": params.get("metadata", {}),
            "latest_charge": None,
            "last_payment_error": None,
            "canceled_at": None,
            "cancellation_reason": None,
            "created": int(time.time()),
            "livemode": False,
        }
        self.payment_intents[intent["id"]] = intent
        if not confirm:
            return intent
        _, _, code, decline_code = TEST_CARDS[token]
        if code:
            message = DECLINE_MESSAGES[decline_code]
            error = {"type": "card_error", "code": code, "decline_code": decline_code, "param": ""}
            intent.update(status="requires_payment_method", last_payment_error={**error, "message": message})
            raise StripeApiError(402, message, **error, payment_intent=intent)
        intent["latest_charge"] = _new_id("ch")
        if capture_method == "manual":
            intent.update(status="requires_capture", amount_capturable=amount)
        else:
            intent.update(status="succeeded", amount_received=amount)
        return intent

    def _intent(self, intent_id: str) -> dict:
        if intent_id not in self.payment_intents:
            raise missing("payment_intent", intent_id, "intent", status=404)
        return self.payment_intents[intent_id]

    def _capture_payment_intent(self, params: dict[str, Any], id: str) -> dict:
        intent = self._intent(id)
        if intent["status"] != "requires_capture":
            raise StripeApiError(
                400,
                f"This PaymentIntent could not be captured because it has a status of {intent['status']}. "
                "Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
                code="payment_intent_unexpected_state",
                payment_intent=intent,
            )
        amount = _amount(params, "amount_to_capture", required=False) or intent["amount_capturable"]
        if amount > intent["amount_capturable"]:
            raise StripeApiError(
                400,
                "The amount to capture is greater than the amount capturable.",
                code="amount_too_large",
                param="amount_to_capture",
            )
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        return intent

    def _cancel_payment_intent(self, params: dict[str, Any], id: str) -> dict:
        intent = self._intent(id)
        if intent["status"] not in CANCELABLE:
            raise StripeApiError(
                400,
                f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}.",
                code="payment_intent_unexpected_state",
                payment_intent=intent,
            )
        intent.update(
            status="canceled",
            amount_capturable=0,
            canceled_at=int(time.time()),
            cancellation_reason=params.get("cancellation_reason", "requested_by_customer"),
        )
        return intent

    def _create_refund(self, params: dict[str, Any]) -> dict:
        intent_id = params.get("payment_intent")
        if not intent_id:
            raise StripeApiError(
                400, "Missing required param: payment_intent.", code="parameter_missing", param="payment_intent"
            )
        if intent_id not in self.payment_intents:
            raise missing("payment_intent", intent_id, "payment_intent")
        intent = self.payment_intents[intent_id]
        if intent["status"] != "succeeded":
            raise StripeApiError(
                400,
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        refunded = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent_id)
        remaining = intent["amount_received"] - refunded
        if remaining <= 0:
            raise StripeApiError(
                400, f"Charge {intent['latest_charge']} has already been refunded.", code="charge_already_refunded"
            )
        amount = _amount(params, required=False) or remaining
        if amount > remaining:
            raise StripeApiError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining}).",
                code="amount_too_large",
                param="amount",
            )
        refund = {
            "id": _new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent_id,
            "charge": intent["latest_charge"],
            "status": "succeeded",
            "reason": params.get("reason"),
            "metadata": params.get("metadata", {}),
            "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        return refund

    def _create_transfer(self, params: dict[str, Any]) -> dict:
        amount = _amount(params)
        currency = _currency(params)
        destination = params.get("destination", "")
        if not destination:
            raise StripeApiError(
                400, "Missing required param: destination.", code="parameter_missing", param="destination"
            )
        if destination not in self.connected_accounts:
            raise missing("destination", destination, "destination")
        transfer = {
            "id": _new_id("tr"),
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "currency": currency,
            "destination": destination,
            "description": params.get("description"),
            "metadata": params.get("metadata", {}),
            "reversed": False,
            "created": int(time.time()),
            "livemode": False,
        }
        self.transfers[transfer["id"]] = transfer
        return transfer


class _Handler(BaseHTTPRequestHandler):
    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else url.query
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, answer, extra = self.server.fake.handle(self.command, url.path, headers, body)  # type: ignore[attr-defined]
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", _new_id("req"))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(name="fake_stripe")
def fake_stripe_fixture(settings, monkeypatch):
    """A running fake Stripe; `get_gateway()` is the Stripe gateway talking to it for the length of the test."""
    fake = FakeStripe()
    url = fake.start()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_BASE = url
    settings.PAYMENT_GATEWAY = STRIPE_GATEWAY
    # Also the SDK's module-level default, so no stray module-level call can reach the real Stripe from a test.
    monkeypatch.setattr(stripe, "api_base", url)
    get_gateway.cache_clear()
    yield fake
    fake.stop()
    get_gateway.cache_clear()
