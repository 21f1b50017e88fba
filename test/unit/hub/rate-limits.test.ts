import { describe, expect, it } from "vitest";
import { MIN_RESYNC_INTERVAL_MS } from "../../../protocol/index.ts";
import { INGEST_BURST_SECONDS, IngestLimiter } from "../../../worker/channel/ingest-limiter.ts";
import { MAX_EARLY_RESYNCS, SocketPolicy } from "../../../worker/channel/socket-policy.ts";
import { KeyedBuckets, TokenBucket } from "../../../worker/channel/token-bucket.ts";

describe("TokenBucket", () => {
  it("allows the burst, then refills continuously and says how long until the next token", () => {
    const b = new TokenBucket({ capacity: 3, refillPerSecond: 2 }, 0);
    expect([b.take(0), b.take(0), b.take(0)].every((t) => t.ok)).toBe(true);
    expect(b.take(0)).toStrictEqual({ ok: false, retryAfterMs: 500 });
    expect(b.take(499).ok).toBe(false);
    expect(b.take(500).ok).toBe(true);
  });

  it("never holds more than its capacity, however long it rested", () => {
    const b = new TokenBucket({ capacity: 2, refillPerSecond: 1 }, 0);
    expect(b.take(1_000_000, 2).ok).toBe(true);
    expect(b.take(1_000_000).ok).toBe(false);
  });

  it("a cost above the capacity is refused with the time to a full bucket, and takes nothing", () => {
    const b = new TokenBucket({ capacity: 4, refillPerSecond: 1 }, 0);
    expect(b.take(0, 2).ok).toBe(true);
    expect(b.take(0, 10)).toStrictEqual({ ok: false, retryAfterMs: 2000 });
    expect(b.take(0, 2).ok).toBe(true);
  });

  it("a clock that steps back neither refills nor drains", () => {
    const b = new TokenBucket({ capacity: 1, refillPerSecond: 1 }, 10_000);
    expect(b.take(10_000).ok).toBe(true);
    expect(b.take(5_000).ok).toBe(false);
    expect(b.take(10_999).ok).toBe(false);
    expect(b.take(11_000).ok).toBe(true);
  });
});

describe("KeyedBuckets", () => {
  it("limits each key on its own and keeps at most maxKeys buckets", () => {
    const k = new KeyedBuckets({ capacity: 1, refillPerSecond: 0.001 }, 3);
    expect(k.take("a", 0).ok).toBe(true);
    expect(k.take("a", 0).ok).toBe(false);
    expect(k.take("b", 0).ok).toBe(true);
    for (const key of ["c", "d", "e"]) k.take(key, 0);
    expect(k.size).toBeLessThanOrEqual(3);
  });

  it("forgets full buckets before busy ones", () => {
    const k = new KeyedBuckets({ capacity: 2, refillPerSecond: 1 }, 2);
    k.take("idle", 0);
    k.take("busy", 5_000);
    k.take("busy", 5_000);
    // "idle" has refilled by 5 s: it goes, "busy" (empty) stays limited.
    k.take("new", 5_000);
    expect(k.take("busy", 5_000).ok).toBe(false);
  });
});

describe("IngestLimiter", () => {
  const rates = { eventsPerSecond: 100, requestsPerSecond: 5 };

  it("admits a burst of ten seconds' worth of requests, then answers with whole seconds to wait", () => {
    const l = new IngestLimiter(rates, 0);
    for (let i = 0; i < rates.requestsPerSecond * INGEST_BURST_SECONDS; i++) expect(l.admit(0, 1).ok).toBe(true);
    const refused = l.admit(0, 1);
    expect(refused).toStrictEqual({ ok: false, retryAfterSeconds: 1, message: "more than 5 webhook requests per second on this channel; nothing was stored, retry after 1 s" });
    expect(l.admit(200, 1).ok).toBe(true);
  });

  it("counts events, and always has room for one full batch", () => {
    const l = new IngestLimiter({ eventsPerSecond: 10, requestsPerSecond: 100 }, 0);
    expect(l.admit(0, 500).ok).toBe(true); // capacity is max(10 × 10, 500)
    const refused = l.admit(0, 20);
    expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 2 });
    expect(refused.ok ? "" : refused.message).toMatch(/^more than 10 events per second on this channel/);
    expect(l.admit(2000, 20).ok).toBe(true);
  });
});

describe("SocketPolicy.resync", () => {
  it("answers the first resync, refuses one within the interval with the time it may ask again, and closes after repeated early ones", () => {
    const p = new SocketPolicy(0);
    expect(p.resync(1000)).toStrictEqual({ ok: true });
    const retryAtMs = 1000 + MIN_RESYNC_INTERVAL_MS;
    for (let i = 0; i < MAX_EARLY_RESYNCS; i++) expect(p.resync(1001 + i)).toStrictEqual({ ok: false, retryAtMs, close: false });
    expect(p.resync(2000)).toStrictEqual({ ok: false, retryAtMs, close: true });
  });

  it("answers again once the interval has passed; the last answer survives hibernation through the attachment", () => {
    const p = new SocketPolicy(0, 10_000);
    expect(p.resync(10_000 + MIN_RESYNC_INTERVAL_MS - 1).ok).toBe(false);
    expect(p.resync(10_000 + MIN_RESYNC_INTERVAL_MS).ok).toBe(true);
  });
});
