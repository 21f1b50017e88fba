/**
 * Every answer the Worker writes carries the security headers of
 * protocol/security-headers.ts: API JSON (also when the body comes from a
 * Durable Object), errors, 404s and 405s. WebSocket upgrades are left as they are.
 */
import { describe, expect, it } from "vitest";
import { Paths } from "../../protocol/index.ts";
import { STRICT_TRANSPORT_SECURITY, securityHeaders } from "../../protocol/security-headers.ts";
import { ev } from "../../dev/events.ts";
import { HUB_URL, fetchHub, hub, send, uniqueChannel } from "./support/hub.ts";
import { SocketProbe } from "./support/socket-probe.ts";


function expectSecurityHeaders(res: Response, https = false): void {
  for (const [name, value] of Object.entries(securityHeaders({ https }))) expect(res.headers.get(name), name).toBe(value);
  if (!https) expect(res.headers.get("strict-transport-security")).toBeNull();
}

describe("security headers", () => {
  it("are on JSON answers, including one a Durable Object wrote", async () => {
    const channel = uniqueChannel("headers");
    await send(channel, ev.taskProgress(1, 10));
    const health = await fetchHub(HUB_URL + Paths.health);
    expect(health.status).toBe(200);
    expectSecurityHeaders(health);
    const snapshot = await hub.get(Paths.snapshot(channel), await hub.viewerTicket());
    expect(snapshot.status).toBe(200);
    expectSecurityHeaders(snapshot);
    expect(snapshot.headers.get("content-type")).toContain("application/json");
  });

  it("are on 401, 404, 405 and webhook rejections", async () => {
    const answers = [
      await fetchHub(`${HUB_URL}/api/nope`),
      await fetchHub(`${HUB_URL}/missing.js`),
      await fetchHub(HUB_URL + Paths.health, { method: "POST" }),
      await fetchHub(HUB_URL + Paths.channels),
      await fetchHub(HUB_URL + Paths.webhook("headers"), { method: "POST", body: "{}" }),
    ];
    expect(answers.map((res) => res.status)).toEqual([404, 404, 405, 401, 401]);
    for (const res of answers) expectSecurityHeaders(res);
  });

  it("add Strict-Transport-Security over https only", async () => {
    const res = await fetchHub(`https://hub.test${Paths.health}`);
    expectSecurityHeaders(res, true);
    expect(res.headers.get("strict-transport-security")).toBe(STRICT_TRANSPORT_SECURITY);
  });

  it("leave a WebSocket upgrade working", async () => {
    const channel = uniqueChannel("headers-socket");
    await send(channel, ev.taskProgress(1, 10));
    const socket = await SocketProbe.open(channel, { ticket: await hub.ticket([channel]) });
    expect((await socket.waitForFrames(1)).length).toBeGreaterThan(0);
    socket.close();
  });
});
