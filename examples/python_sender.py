"""Posts events to a taskmaster-live hub, signed with the Standard Webhooks scheme.

    pip install standardwebhooks
    export TASKMASTER_LIVE_KEY=whsec_...   # npm run channel-key -- my-project (either form)
    python3 examples/python_sender.py my-project [events.json] [--hub http://127.0.0.1:8787]

The file holds one event or {"events": [...]}; without one, an agent.status
event is sent. Only the channel's key is needed, never the hub's root secret.
Exits 0 when the hub answers 202 (the events are stored).
"""
import argparse
import base64
import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook


def standard_secret(key: str) -> str:
    """The whsec_ form of a channel key; the hex form is base64-encoded as the hub expects."""
    key = key.strip()
    if key.startswith("whsec_"):
        return key
    return "whsec_" + base64.b64encode(key.encode("utf-8")).decode("ascii")


def default_body() -> str:
    now = datetime.now(timezone.utc)
    event = {
        "id": f"py-{uuid.uuid4()}",
        "type": "agent.status",
        "occurredAt": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": {"agentId": "python-sender", "status": "busy", "detail": "sent from examples/python_sender.py"},
    }
    return json.dumps(event, separators=(",", ":"))


def main() -> int:
    parser = argparse.ArgumentParser(description="Send events to a taskmaster-live channel.")
    parser.add_argument("channel")
    parser.add_argument("file", nargs="?", help="one event, or {\"events\": [...]} (default: an agent.status event)")
    parser.add_argument("--hub", default=os.environ.get("HUB_URL", "http://127.0.0.1:8787"))
    args = parser.parse_args()

    key = os.environ.get("TASKMASTER_LIVE_KEY")
    if not key:
        print("set TASKMASTER_LIVE_KEY to the channel's key (npm run channel-key -- <channel>)", file=sys.stderr)
        return 2
    if args.file:
        with open(args.file, encoding="utf-8") as f:
            body = f.read()
    else:
        body = default_body()

    # A new id per request; the events' own ids make a retry of the same events safe.
    msg_id = f"msg_{uuid.uuid4().hex}"
    sent_at = datetime.now(timezone.utc)
    signature = Webhook(standard_secret(key)).sign(msg_id, sent_at, body)
    request = urllib.request.Request(
        f"{args.hub.rstrip('/')}/webhooks/{args.channel}",
        data=body.encode("utf-8"),
        method="POST",
        headers={
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": signature,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            print(response.status, response.read().decode("utf-8"))
            return 0 if response.status == 202 else 1
    except urllib.error.HTTPError as error:
        print(error.code, error.read().decode("utf-8"), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
