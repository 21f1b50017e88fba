/**
 * Rate limits and byte bounds against the real Worker: ingest per channel
 * (429 + Retry-After, nothing stored), socket connects per ticket (4429),
 * ticket requests per client address (429), and the byte bound of a page of deltas.
 */
import { runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CloseCode, MAX_DELTAS_RESPONSE_BYTES, MAX_FRAME_BYTES, MAX_LONG_TEXT_BYTES, MAX_REPLAY_BYTES, Paths, type DeltasResponse, type HubEvent } from "../../protocol/index.ts";
import type { ChannelObject, IngestOutcome } from "../../worker/channel/channel-object.ts";
import { ev } from "../../dev/events.ts";
import { expectError } from "./support/http-expect.ts";
import { HUB_URL, channelObject, fetchHub, hub, metrics, send, snapshot, uniqueChannel } from "./support/hub.ts";
import { SocketProbe } from "./support/socket-probe.ts";

/** INGEST_EVENTS_PER_SECOND in vitest.config.ts; requests per second keep their default. */
const EVENTS_PER_SECOND = 2000;
const REQUESTS_PER_SECOND = 50;
const BURST_SECONDS = 10;
/** SOCKET_CONNECTS_PER_TICKET_PER_MINUTE's default. */
const CONNECTS_PER_TICKET = 30;

let TICKET = "";
beforeAll(async () => {
  TICKET = await hub.viewerTicket();
});

afterEach(() => SocketProbe.closeAll());

/**
 * Calls ingest `count` times at one frozen instant (the object runs in this isolate, so it shares the faked
 * Date): the buckets do not refill in between, and the outcome does not depend on the machine's speed.
 */
async function ingestAtOnce(channel: string, count: number, batch: HubEvent[]): Promise<IngestOutcome[]> {
  return runInDurableObject(channelObject(channel), async (instance: ChannelObject) => {
    const outcomes: IngestOutcome[] = [];
    for (let i = 0; i < count; i++) outcomes.push(await instance.ingest(batch, Date.now()));
    return outcomes;
  });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now());
});
afterEach(() => {
  vi.useRealTimers();
});

describe("ingest per channel", () => {
  it("requests over the burst are refused with a whole-second retry and store nothing", async () => {
    const channel = uniqueChannel("rl-requests");
    const burst = REQUESTS_PER_SECOND * BURST_SECONDS;
    // The same event each time: a duplicate costs the object little, but still counts.
    const outcomes = await ingestAtOnce(channel, burst + 1, [ev.heartbeat("a1") as HubEvent]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(burst);
    expect(outcomes.at(-1)).toStrictEqual({
      ok: false,
      retryAfterSeconds: 1,
      message: `more than ${REQUESTS_PER_SECOND} webhook requests per second on this channel; nothing was stored, retry after 1 s`,
    });
    expect((await metrics(channel)).events).toMatchObject({ accepted: 1, duplicate: burst - 1 });
  });

  it("events over the burst are refused; the webhook answers 429 rate_limited with Retry-After", async () => {
    const channel = uniqueChannel("rl-events");
    const batches = (EVENTS_PER_SECOND * BURST_SECONDS) / 500;
    const outcomes = await ingestAtOnce(channel, batches, Array.from({ length: 500 }, (_, i) => ev.heartbeat(`a${i}`) as HubEvent));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const head = (await snapshot(channel)).seq;

    const res = await hub.post(channel, { events: Array.from({ length: 500 }, () => ev.health("h", { cpu: 1 })) });
    const body = await expectError(res, 429, { code: "rate_limited", message: /^more than 2000 events per second on this channel; nothing was stored, retry after \d+ s$/, details: { retryAfterSeconds: expect.any(Number) } });
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect((body.error.details as { retryAfterSeconds: number }).retryAfterSeconds).toBe(retryAfter);
    expect((await snapshot(channel)).seq).toBe(head);
    // Other channels are not affected.
    expect(await send(uniqueChannel("rl-other"), ev.meta({ name: "fine" }))).toMatchObject({ accepted: 1 });
  });
});

describe("socket connects per ticket", () => {
  it(`connect ${CONNECTS_PER_TICKET + 1} in a minute with one ticket is refused with 4429; another ticket still connects`, async () => {
    const channel = uniqueChannel("rl-connects");
    const ticket = await hub.ticket([channel]);
    for (let i = 0; i < CONNECTS_PER_TICKET; i++) {
      const viewer = await SocketProbe.open(channel, { ticket });
      await viewer.waitForFrames(2);
      viewer.close();
    }
    const refused = await SocketProbe.open(channel, { ticket });
    expect((await refused.waitForClose()).code).toBe(CloseCode.RATE_LIMITED);
    expect(refused.frames).toStrictEqual([
      { type: "error", code: "rate_limited", message: expect.stringMatching(/^more than 30 connects per minute with this ticket; retry in \d+ s$/) },
    ]);
    // Another lifetime: at the frozen instant, the same claims would sign into the same ticket.
    const other = await SocketProbe.open(channel, { ticket: await hub.ticket([channel], 300) });
    expect((await other.waitForFrames(2))[0]).toMatchObject({ type: "hello" });
  });
});

describe("ticket requests per client address", () => {
  it("over the limit of the address: 429 with Retry-After; another address is not affected", async () => {
    const ask = (ip: string) =>
      fetchHub(HUB_URL + Paths.ticket, { method: "POST", headers: { authorization: `Bearer ${hub.secrets.DASHBOARD_TOKEN}`, "cf-connecting-ip": ip } });
    const ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    let answered = 0;
    let refused: Response | null = null;
    for (let i = 0; i < 100 && !refused; i++) {
      const res = await ask(ip);
      if (res.status === 429) refused = res;
      else {
        expect(res.status).toBe(200);
        answered++;
      }
    }
    console.log(`ticket requests answered before the limit: ${answered}`);
    expect(answered).toBeGreaterThanOrEqual(30);
    await expectError(refused!, 429, { code: "rate_limited", message: "too many ticket requests from this address; retry after 60 s" });
    expect(refused!.headers.get("retry-after")).toBe("60");
    expect((await ask("198.51.100.7")).status).toBe(200);
  });
});

describe("byte bound of a page of deltas", () => {
  it(`stops before ${MAX_DELTAS_RESPONSE_BYTES} bytes; asking again from the last seq gets the rest`, async () => {
    const channel = uniqueChannel("rl-bytes");
    const title = "x".repeat(2000);
    const description = "d".repeat(2000);
    // Ten heavy tasks first: the state outweighs the 400 deltas after them, so those are replayed (not a cheaper snapshot).
    for (let id = 1; id <= 10; id++) await send(channel, ev.taskUpsert({ id: 1000 + id, description: "d".repeat(MAX_LONG_TEXT_BYTES) }));
    for (let b = 0; b < 4; b++) await send(channel, ...Array.from({ length: 100 }, (_, i) => ev.taskUpsert({ id: b * 100 + i + 1, title, description })));
    const { epoch, seq: head } = await snapshot(channel);
    expect(head).toBe(410);
    let since = 10;
    let pages = 0;
    while (since < head) {
      const res = await hub.get(`${Paths.deltas(channel)}?since=${since}&epoch=${epoch}`, TICKET);
      const text = await res.text();
      expect(new TextEncoder().encode(text).byteLength).toBeLessThan(MAX_DELTAS_RESPONSE_BYTES + 200);
      const page = JSON.parse(text) as DeltasResponse;
      if (!page.recovered) throw new Error("expected a replay");
      expect(page.deltas[0]?.seq).toBe(since + 1);
      since = page.deltas.at(-1)!.seq;
      pages++;
    }
    expect(pages).toBeGreaterThan(1);
  });
});

describe("byte bound of a WebSocket replay", () => {
  it(`a replay over ${MAX_REPLAY_BYTES} bytes is sent as a snapshot (recovered: false); a smaller one is replayed`, async () => {
    const channel = uniqueChannel("rl-replay");
    const title = "t".repeat(2000);
    const description = "d".repeat(2500);
    for (let b = 0; b < 10; b++) await send(channel, ...Array.from({ length: 100 }, (_, i) => ev.taskUpsert({ id: b * 100 + i + 1, title, description })));
    const { epoch, seq: head } = await snapshot(channel);
    expect(head).toBe(1000);

    const whole = await SocketProbe.open(channel, { ticket: TICKET, since: 0, epoch });
    const [hello, next] = await whole.waitForFrames(2, 10_000);
    expect(hello).toMatchObject({ type: "hello", head, recovered: false, reason: "too-large" });
    expect(next).toMatchObject({ type: "snapshot", epoch, seq: head });

    const half = await SocketProbe.open(channel, { ticket: TICKET, since: 500, epoch });
    await half.waitForSeq(head, 10_000);
    expect(half.frames[0]).toMatchObject({ type: "hello", recovered: true });
    expect(half.deltas.map((d) => d.seq)).toStrictEqual(Array.from({ length: 500 }, (_, i) => 501 + i));
    // About 2.3 MB streamed in frames of at most MAX_FRAME_BYTES, each a batch.
    const replayFrames = half.frames.slice(1);
    expect(replayFrames.length).toBeGreaterThan(2);
    for (const frame of replayFrames) {
      expect(frame.type).toBe("deltas");
      expect(new TextEncoder().encode(JSON.stringify(frame)).byteLength).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    }
  });
});
