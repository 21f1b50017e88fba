/**
 * The REST side: snapshot, the polling fallback (deltas, long-poll),
 * metrics, the channel directory, health, and unknown routes.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_LONG_POLL_SECONDS, Paths, type DeltasResponse } from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { expectError } from "./support/http-expect.ts";
import { HUB_URL, fetchHub, hub, listChannels, metrics, send, snapshot, uniqueChannel } from "./support/hub.ts";
import { SocketProbe, settle } from "./support/socket-probe.ts";

/** A viewer's ticket for every channel. */
let TICKET = "";
beforeAll(async () => {
  TICKET = await hub.viewerTicket();
});

afterEach(() => SocketProbe.closeAll());

async function deltas(channel: string, query: string): Promise<DeltasResponse> {
  const res = await hub.get(`${Paths.deltas(channel)}?${query}`, TICKET);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

async function summaryOf(channel: string) {
  return (await listChannels(TICKET)).find((c) => c.channel === channel);
}

/** Directory reports are sent after the answer that caused them: poll until `ok` (bounded). */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await settle(20);
    value = await read();
  }
  return value;
}

describe("health and routing", () => {
  it("GET /api/health answers ok", async () => {
    const res = await fetchHub(HUB_URL + Paths.health);
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({ ok: true });
  });

  it("404 for unknown paths, also under a channel", async () => {
    await expectError(await fetchHub(`${HUB_URL}/api/nope`), 404, { code: "not_found", message: "no route for GET /api/nope" });
    await expectError(await hub.get("/api/channels/abc/nope", TICKET), 404, { code: "not_found", message: "no route for GET /api/channels/abc/nope" });
    await expectError(await hub.get("/api/channels/abc/snapshot/extra", TICKET), 404, { code: "not_found", message: "no route for GET /api/channels/abc/snapshot/extra" });
  });

  it("405 for a wrong method on a known path", async () => {
    const cases: [string, string][] = [
      ["POST", Paths.health],
      ["GET", Paths.ticket],
      ["DELETE", Paths.channels],
      ["POST", Paths.snapshot("abc")],
      ["PUT", Paths.deltas("abc")],
    ];
    for (const [method, path] of cases) {
      const res = await fetchHub(HUB_URL + path, { method, headers: { authorization: `Bearer ${TICKET}` } });
      await expectError(res, 405, { code: "method_not_allowed", message: `${method} is not allowed on ${path}` });
    }
  });

  it("400 bad_channel for an invalid channel in a REST path", async () => {
    await expectError(await hub.get(Paths.snapshot("Nope!"), TICKET), 400, { code: "bad_channel", message: "channel must match ^[a-z0-9][a-z0-9._-]{0,63}$" });
  });
});

describe("snapshot and deltas", () => {
  it("the snapshot is JSON, not cacheable, and in the socket's seq space", async () => {
    const channel = uniqueChannel("rest-snap");
    await send(channel, ev.taskUpsert({ id: 1, title: "x" }), ev.health("ci", { cpu: 12.5, memory: { usedBytes: 1, totalBytes: 2 }, queueDepth: 3 }));
    const res = await hub.get(Paths.snapshot(channel), TICKET);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { epoch: string; seq: number; state: { health: Record<string, unknown[]> } };
    expect(body.seq).toBe(2);
    expect(body.state.health.ci).toStrictEqual([{ at: expect.any(String), cpu: 12.5, memory: { usedBytes: 1, totalBytes: 2 }, queueDepth: 3 }]);
  });

  it("answers the deltas after a cursor, a snapshot without one, and a snapshot for a foreign epoch", async () => {
    const channel = uniqueChannel("rest-deltas");
    // A task with a long description first: the state outweighs the small deltas after it, so they are replayed.
    await send(channel, ev.taskUpsert({ id: 1, description: "d".repeat(5000) }), ev.meta({ name: "a" }), ev.meta({ currentTag: "b" }), ev.agentStatus("x", "busy"));
    const snap = await snapshot(channel);

    const after2 = await deltas(channel, `since=2&epoch=${snap.epoch}`);
    expect(after2).toMatchObject({ recovered: true, epoch: snap.epoch, head: 4 });
    expect(after2.recovered && after2.deltas.map((d) => d.seq)).toStrictEqual([3, 4]);
    expect(await deltas(channel, `since=4&epoch=${snap.epoch}`)).toStrictEqual({ recovered: true, epoch: snap.epoch, head: 4, deltas: [] });

    const snapshots = [
      ["", "no-cursor"],
      [`since=1`, "no-cursor"],
      [`since=1&epoch=other`, "epoch-mismatch"],
      [`since=9&epoch=${snap.epoch}`, "ahead"],
      // Replaying the big task costs more than the snapshot that holds it.
      [`since=0&epoch=${snap.epoch}`, "cheaper-snapshot"],
    ] as const;
    for (const [query, reason] of snapshots) {
      expect(await deltas(channel, query), query).toStrictEqual({ recovered: false, reason, snapshot: snap });
    }
    // replay=always: the log itself, even where the snapshot is smaller; the position rules still hold.
    const whole = await deltas(channel, `since=0&epoch=${snap.epoch}&replay=always`);
    expect(whole.recovered && whole.deltas.map((d) => d.seq)).toStrictEqual([1, 2, 3, 4]);
    expect(await deltas(channel, `since=9&epoch=${snap.epoch}&replay=always`)).toStrictEqual({ recovered: false, reason: "ahead", snapshot: snap });
  });

  it("400 for a malformed since, wait or replay", async () => {
    const channel = uniqueChannel("rest-bad");
    for (const since of ["-1", "abc", "1.5", "1e3"]) {
      await expectError(await hub.get(`${Paths.deltas(channel)}?since=${since}&epoch=e`, TICKET), 400, {
        code: "bad_request",
        message: "since must be a non-negative integer seq",
      });
    }
    // Digits only: hex, exponents, fractions and padding are not numbers of seconds here.
    for (const wait of ["-1", "abc", String(MAX_LONG_POLL_SECONDS + 1), "0x10", "1e1", "1.5", "%205", "+5", "Infinity"]) {
      await expectError(await hub.get(`${Paths.deltas(channel)}?since=0&epoch=e&wait=${wait}`, TICKET), 400, {
        code: "bad_request",
        message: `wait must be whole seconds from 0 to ${MAX_LONG_POLL_SECONDS}, digits only`,
      });
    }
    for (const replay of ["", "yes", "ALWAYS"]) {
      await expectError(await hub.get(`${Paths.deltas(channel)}?since=0&epoch=e&replay=${replay}`, TICKET), 400, { code: "bad_request", message: 'replay must be "always" or absent' });
    }
  });

  it("a long-poll at head returns as soon as a delta is committed", async () => {
    const channel = uniqueChannel("rest-longpoll");
    await send(channel, ev.taskUpsert({ id: 1, description: "d".repeat(5000) }), ev.meta({ name: "first" }));
    const { epoch } = await snapshot(channel);
    const started = Date.now();
    const poll = deltas(channel, `since=2&epoch=${epoch}&wait=${MAX_LONG_POLL_SECONDS}`);
    await settle(50);
    const event = ev.meta({ name: "second" });
    await send(channel, event);
    const answer = await poll;
    console.log(`long-poll answered ${Date.now() - started} ms after it started (wait=${MAX_LONG_POLL_SECONDS} s)`);
    expect(answer).toMatchObject({ recovered: true, head: 3 });
    expect(answer.recovered && answer.deltas).toStrictEqual([
      { type: "delta", epoch, seq: 3, at: expect.any(String), changes: [{ kind: "meta", op: "patch", value: { name: "second" } }], cause: { type: "project.meta", id: event.id } },
    ]);
  });

  it("a long-poll with nothing new answers an empty list when its wait is over", async () => {
    const channel = uniqueChannel("rest-longpoll-idle");
    await send(channel, ev.meta({ name: "only" }));
    const { epoch } = await snapshot(channel);
    const started = Date.now();
    expect(await deltas(channel, `since=1&epoch=${epoch}&wait=1`)).toStrictEqual({ recovered: true, epoch, head: 1, deltas: [] });
    console.log(`idle long-poll (wait=1) answered after ${Date.now() - started} ms`);
  });
});

describe("metrics and the directory", () => {
  it("metrics count events, frames, replays and connections", async () => {
    const channel = uniqueChannel("rest-metrics");
    const first = ev.taskUpsert({ id: 1 });
    await send(channel, first, ev.taskUpsert({ id: 2 }));
    await send(channel, first); // duplicate
    await send(channel, ev.taskUpsert({ id: 1, title: "old" }, { occurredAt: new Date(Date.now() - 3_600_000).toISOString() })); // stale
    const { epoch } = await snapshot(channel);
    const fresh = await SocketProbe.open(channel, { ticket: TICKET });
    const resumed = await SocketProbe.open(channel, { ticket: TICKET, since: 1, epoch });
    await fresh.waitForFrames(2);
    await resumed.waitForFrames(2);

    const m = await metrics(channel);
    expect(m).toStrictEqual({
      channel,
      connections: { now: 2, peak: 2 },
      framesOut: 4, // hello + snapshot, hello + one replayed delta
      bytesOut: expect.any(Number),
      events: { accepted: 2, duplicate: 1, stale: 1, rejected: 0 },
      replays: { recovered: 1, snapshot: 1 },
      ingestToBroadcastMs: { p50: expect.any(Number), p99: expect.any(Number), samples: 2 },
      log: { epoch, head: 2, oldest: 1 },
    });
    expect(m.bytesOut).toBeGreaterThan(0);

    fresh.close();
    const after = await eventually(() => metrics(channel), (x) => x.connections.now === 1);
    expect(after.connections).toStrictEqual({ now: 1, peak: 2 });
  });

  it("bytesOut counts UTF-8 bytes, not characters", async () => {
    const channel = uniqueChannel("rest-bytes");
    const viewer = await SocketProbe.open(channel, { ticket: TICKET });
    await viewer.waitForFrames(2);
    const before = (await metrics(channel)).bytesOut;
    await send(channel, ev.meta({ name: "日本語のプロジェクト🚀" }));
    await viewer.waitForSeq(1);
    const frameText = JSON.stringify(viewer.deltas[0]);
    const expected = new TextEncoder().encode(frameText).byteLength;
    expect((await metrics(channel)).bytesOut - before).toBe(expected);
  });

  it("the directory shows each channel's head, activity and live connections", async () => {
    const channel = uniqueChannel("rest-dir");
    await send(channel, ev.meta({ name: "d" }), ev.meta({ currentTag: "t" }));
    const { epoch } = await snapshot(channel);
    const a = await SocketProbe.open(channel, { ticket: TICKET });
    const b = await SocketProbe.open(channel, { ticket: TICKET });
    await a.waitForFrames(2);
    await b.waitForFrames(2);
    const withTwo = await eventually(() => summaryOf(channel), (s) => s?.connections === 2);
    expect(withTwo).toStrictEqual({ channel, epoch, head: 2, lastActivityAt: expect.any(String), connections: 2 });
    expect(Date.parse(withTwo!.lastActivityAt!)).toBeLessThanOrEqual(Date.now());

    b.close();
    await b.waitForClose();
    const withOne = await eventually(() => summaryOf(channel), (s) => s?.connections === 1);
    expect(withOne?.connections).toBe(1);

    await send(channel, ev.meta({ name: "e" }));
    const moved = await eventually(() => summaryOf(channel), (s) => s?.head === 3);
    expect(moved).toMatchObject({ head: 3, connections: 1 });
  });
});
