"""A push service on localhost, as browsers' push services behave (RFC 8030): it takes a POST of an encrypted
message to a subscription's endpoint and answers 201; an endpoint under `/gone/` answers 410 (the subscription
has expired), one under `/down/` answers 503."""

import base64
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass
class Browser:
    """A browser's side of a subscription: the key pair and secret that messages are encrypted for."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


def vapid_keys() -> tuple[Vapid, str, str]:
    """An application server key: the Vapid object, the private key as base64url raw bytes, the public key."""
    vapid = Vapid()
    vapid.generate_keys()
    private_raw = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    public_raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return vapid, b64url(private_raw), b64url(public_raw)


class PushService(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        PushService.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path.startswith("/gone/"):
            self.send_response(410)
        elif self.path.startswith("/down/"):
            self.send_response(503)
        else:
            self.send_response(201)
            self.send_header("Location", f"/messages/{len(PushService.received)}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class RunningPushService:
    def __init__(self) -> None:
        PushService.received = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), PushService)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def received(self) -> list[dict]:
        return PushService.received

    def endpoint(self, path: str) -> str:
        return f"{self.origin}/{path.lstrip('/')}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
