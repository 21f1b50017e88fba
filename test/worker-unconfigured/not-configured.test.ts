/** A hub whose WEBHOOK_SECRET and DASHBOARD_TOKEN are empty: 503 not_configured naming the secret, and nothing created. */
import { describe, expect, it } from "vitest";
import { Paths } from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { expectError } from "../worker/support/http-expect.ts";
import { HUB_URL, channelObjectExists, fetchHub } from "../worker/support/hub.ts";

const WEBHOOK_MESSAGE = "the hub has no WEBHOOK_SECRET: set it (wrangler secret put WEBHOOK_SECRET) to accept webhooks";
const DASHBOARD_MESSAGE = "the hub has no DASHBOARD_TOKEN: set it (wrangler secret put DASHBOARD_TOKEN) to admit viewers";

/** A sender holding some key: whatever it signs, there is no root secret to check it against. */
const sender = new HubClient(HUB_URL, fetchHub, { WEBHOOK_SECRET: "a root secret the hub does not have", DASHBOARD_TOKEN: "" });
const body = JSON.stringify(ev.meta({ name: "x" }));

describe("503 not_configured", () => {
  it("webhooks and DELETE, signed or not, name WEBHOOK_SECRET and create nothing", async () => {
    const channel = "unconfigured";
    const signed = await sender.post(channel, body);
    await expectError(signed, 503, { code: "not_configured", message: WEBHOOK_MESSAGE });
    await expectError(await fetchHub(HUB_URL + Paths.webhook(channel), { method: "POST", body }), 503, { code: "not_configured", message: WEBHOOK_MESSAGE });
    await expectError(await sender.deleteChannel(channel), 503, { code: "not_configured", message: WEBHOOK_MESSAGE });
    expect(await channelObjectExists(channel)).toBe(false);
  });

  it("the ticket route, the socket and every viewer route name DASHBOARD_TOKEN", async () => {
    const requests: [string, RequestInit][] = [
      [Paths.ticket, { method: "POST", headers: { authorization: "Bearer " } }],
      [Paths.socket("abc"), { headers: { upgrade: "websocket" } }],
      [Paths.channels, {}],
      [Paths.snapshot("abc"), { headers: { authorization: "Bearer x" } }],
      [Paths.deltas("abc"), {}],
      [Paths.metrics("abc"), {}],
    ];
    for (const [path, init] of requests) {
      await expectError(await fetchHub(HUB_URL + path, init), 503, { code: "not_configured", message: DASHBOARD_MESSAGE });
    }
    expect(await channelObjectExists("abc")).toBe(false);
  });

  it("health still answers: the Worker itself is up", async () => {
    const res = await fetchHub(HUB_URL + Paths.health);
    expect(res.status).toBe(200);
  });
});
