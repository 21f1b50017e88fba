import { describe, expect, it } from "vitest";
import { formatRatios, formatResults, hubRatios, median, mediansOver, METRICS, parseBenchArgs, runOrder, TARGETS, type Metrics } from "../../../bench/support/peer-bench.ts";

const metrics = (value: number, overrides: Partial<Metrics> = {}): Metrics => ({ ...(Object.fromEntries(METRICS.map((m) => [m.key, value])) as Metrics), ...overrides });

describe("parseBenchArgs", () => {
  it("has the documented defaults", () => {
    expect(parseBenchArgs([])).toEqual({
      clients: 300,
      events: 100,
      runs: 1,
      targets: ["hub", "ws", "socketio", "partyserver"],
      connectRate: 300,
      intervalMs: 50,
      burstBatch: 50,
      fleets: 4,
      json: null,
    });
  });

  it("reads every option", () => {
    const o = parseBenchArgs(["--clients", "1000", "--events", "100", "--runs", "3", "--targets", "partyserver,hub", "--connect-rate", "500", "--interval-ms", "20", "--burst-batch", "25", "--fleets", "8", "--json", "out.json"]);
    expect(o).toEqual({ clients: 1000, events: 100, runs: 3, targets: ["partyserver", "hub"], connectRate: 500, intervalMs: 20, burstBatch: 25, fleets: 8, json: "out.json" });
  });

  it("caps the fleets at the clients and a burst batch at the hub's 500 events per webhook", () => {
    const o = parseBenchArgs(["--clients", "2", "--burst-batch", "900"]);
    expect(o.fleets).toBe(2);
    expect(o.burstBatch).toBe(500);
  });

  it.each([
    [["--clients", "0"], "--clients must be a positive integer"],
    [["--events", "1.5"], "--events must be a positive integer"],
    [["--runs", "x"], "--runs must be a positive integer"],
    [["--targets", "hub,nats"], "unknown target(s) nats"],
    [["--targets", "hub,hub"], "named twice"],
    [["--bogus"], "Unknown option '--bogus'"],
  ])("refuses %j", (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});

describe("runOrder", () => {
  it("alternates: as given, reversed, then rotated so no target stays first or last", () => {
    const orders = [0, 1, 2, 3].map((run) => runOrder(TARGETS, run));
    expect(orders).toEqual([
      ["hub", "ws", "socketio", "partyserver"],
      ["partyserver", "socketio", "ws", "hub"],
      ["ws", "socketio", "partyserver", "hub"],
      ["hub", "partyserver", "socketio", "ws"],
    ]);
    for (const order of orders) expect([...order].sort()).toEqual([...TARGETS].sort());
    expect(new Set(orders.slice(0, 3).map((o) => o[0])).size).toBe(3);
  });

  it("keeps a single target", () => {
    expect(runOrder(["ws"], 5)).toEqual(["ws"]);
  });
});

describe("median", () => {
  it("is the middle value, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(median([NaN, 5])).toBe(5);
  });
});

describe("medians and ratios", () => {
  it("takes each target's median per metric over the runs that measured it", () => {
    const m = mediansOver([{ hub: metrics(1), ws: metrics(10) }, { hub: metrics(3) }, { hub: metrics(2), ws: metrics(30) }]);
    expect(m.hub).toEqual(metrics(2));
    expect(m.ws).toEqual(metrics(20));
    expect(m.socketio).toBeUndefined();
  });

  it("divides the hub's value by each peer's", () => {
    const r = hubRatios({ hub: metrics(10, { lost: 0 }), ws: metrics(5, { lost: 0 }), partyserver: metrics(20, { lost: 0 }) });
    expect(r.ws?.lastClientP99).toBe(2);
    expect(r.partyserver?.burstDeliveriesPerSecond).toBe(0.5);
    expect(r.ws?.lost).toBeNaN();
    expect(r.socketio).toBeUndefined();
    expect(hubRatios({ ws: metrics(1) })).toEqual({});
  });

  it("prints one row per metric and one column per measured target", () => {
    const table = formatResults({ hub: metrics(1234.5), ws: metrics(2) }).split("\n");
    expect(table[0]).toBe("| metric | hub | ws |");
    expect(table).toHaveLength(2 + METRICS.length);
    expect(table).toContain("| burst deliveries/s | 1,235 | 2 |");
    expect(table).toContain("| handshake p50 (ms) | 1,234.5 | 2.0 |");
    const ratios = formatRatios(hubRatios({ hub: metrics(3), socketio: metrics(2) })).split("\n");
    expect(ratios[0]).toBe("| hub ÷ peer | hub better when | socketio |");
    expect(ratios).toContain("| last-client p99 (ms) | < 1 | 1.50 |");
    expect(ratios).toContain("| burst deliveries/s | > 1 | 1.50 |");
  });
});
