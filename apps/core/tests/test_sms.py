"""Both SMS gateways: the local outbox, and Twilio's SDK talking to a fake Twilio HTTP API on localhost."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from apps.core.sms import SmsDeliveryError
from apps.core.sms.outbox import OutboxSmsGateway
from apps.core.sms.twilio import TwilioSmsGateway


class FakeTwilio(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):
        body = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        auth = base64.b64decode(self.headers["Authorization"].split()[1]).decode()
        FakeTwilio.received.append({"path": self.path, "auth": auth, **{k: v[0] for k, v in body.items()}})
        if body["To"][0] == "+15005550001":  # Twilio's magic "invalid number"
            status, payload = 400, {"code": 21211, "message": "The 'To' number is not valid.", "status": 400}
        else:
            status, payload = 201, {"sid": "SM" + "a" * 32, "status": "queued", "to": body["To"][0]}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_twilio(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeTwilio.received = []
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_port}"
    yield FakeTwilio
    server.shutdown()


def test_outbox_gateway_writes_one_json_file_per_text(outbox_dir):
    receipt = OutboxSmsGateway().send(to="+15125550100", body="hello")
    [path] = (outbox_dir / "sms").glob("*.json")
    assert json.loads(path.read_text())["body"] == "hello"
    assert receipt.provider == "outbox"


def test_twilio_gateway_posts_the_message_with_the_account_credentials(fake_twilio):
    receipt = TwilioSmsGateway().send(to="+15125550100", body="Your code is 123456")
    [request] = fake_twilio.received
    assert request["path"] == f"/2010-04-01/Accounts/{'AC' + '1' * 32}/Messages.json"
    assert request["auth"] == f"{'AC' + '1' * 32}:secret-token"
    assert (request["To"], request["From"], request["Body"]) == ("+15125550100", "+15005550006", "Your code is 123456")
    assert receipt.provider == "twilio" and receipt.message_id.startswith("SM")


def test_twilio_refusal_becomes_a_delivery_error(fake_twilio):
    with pytest.raises(SmsDeliveryError, match="not valid"):
        TwilioSmsGateway().send(to="+15005550001", body="hi")
