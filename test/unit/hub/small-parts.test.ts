import { describe, expect, it } from "vitest";
import { DirectoryReporter } from "../../../worker/channel/directory-reporter.ts";
import { EarliestAlarm, type AlarmStorage } from "../../../worker/channel/earliest-alarm.ts";
import { LatencyWindow } from "../../../worker/channel/latency-window.ts";
import { FRAME_BUCKET_CAPACITY, MAX_BAD_FRAMES, SocketPolicy } from "../../../worker/channel/socket-policy.ts";
import { readAttachment } from "../../../worker/channel/socket-attachment.ts";
import { isRetryableClose, CloseCode } from "../../../protocol/index.ts";

describe("LatencyWindow", () => {
  it("gives nearest-rank percentiles over the last samples only", () => {
    const w = new LatencyWindow(100);
    expect(w.percentile(50)).toBeNull();
    for (let i = 1; i <= 100; i++) w.add(i);
    expect([w.percentile(50), w.percentile(99), w.percentile(100)]).toEqual([50, 99, 100]);
    for (let i = 0; i < 100; i++) w.add(1000);
    expect(w.percentile(50)).toBe(1000);
    expect(w.size).toBe(100);
  });
});

describe("SocketPolicy", () => {
  it("allows a burst, refills over time, and counts bad frames", () => {
    const p = new SocketPolicy(0);
    for (let i = 0; i < FRAME_BUCKET_CAPACITY; i++) expect(p.allowFrame(0)).toBe(true);
    expect(p.allowFrame(0)).toBe(false);
    expect(p.allowFrame(1000)).toBe(true);
    const results = Array.from({ length: MAX_BAD_FRAMES }, () => p.badFrame());
    expect(results.at(-1)).toBe(true);
    expect(results.slice(0, -1).every((r) => !r)).toBe(true);
  });
});

describe("readAttachment", () => {
  it("decodes defensively", () => {
    const good = { v: 1, id: "x", channel: "c", connectedAtMs: 1, ticketExp: 2 };
    expect(readAttachment(good)).toEqual(good);
    for (const bad of [null, 1, "x", {}, { ...good, v: 2 }, { ...good, connectedAtMs: "1" }]) expect(readAttachment(bad)).toBeNull();
  });
});

describe("DirectoryReporter", () => {
  it("keeps one report in flight and folds changes made meanwhile into one follow-up", async () => {
    let value = 0;
    const sent: number[] = [];
    let release: () => void = () => {};
    const reporter = new DirectoryReporter(
      () => value,
      (v) => {
        sent.push(v);
        return new Promise<void>((r) => (release = r));
      },
      () => {},
    );
    reporter.report();
    value = 1;
    reporter.report();
    value = 2;
    reporter.report();
    expect(sent).toEqual([0]);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([0, 2]);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([0, 2]);
  });

  it("with a minimum interval, a follow-up waits for it and carries every change made meanwhile", async () => {
    let value = 0;
    const sent: number[] = [];
    let endWait: () => void = () => {};
    const waits: number[] = [];
    const reporter = new DirectoryReporter(
      () => value,
      async (v) => {
        sent.push(v);
      },
      () => {},
      500,
      (ms) => {
        waits.push(ms);
        return new Promise<void>((r) => (endWait = r));
      },
    );
    reporter.report();
    value = 1;
    reporter.report();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([0]);
    expect(waits).toEqual([500]);
    value = 2;
    reporter.report();
    endWait();
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual([0, 2]);
    expect(waits).toEqual([500]);
  });
});

describe("close codes", () => {
  it("marks auth and protocol errors terminal, the rest retryable", () => {
    expect([CloseCode.UNAUTHORIZED, CloseCode.FORBIDDEN, CloseCode.PROTOCOL_ERROR].map(isRetryableClose)).toEqual([false, false, false]);
    expect([CloseCode.RATE_LIMITED, CloseCode.RESTARTING, 1006, 1000].map(isRetryableClose)).toEqual([true, true, true, true]);
  });
});

describe("EarliestAlarm", () => {
  /** A storage that records its calls. */
  function storage(initialMs: number | null) {
    const calls: string[] = [];
    let alarmMs = initialMs;
    const store: AlarmStorage = {
      getAlarm: async () => {
        calls.push("get");
        return alarmMs;
      },
      setAlarm: async (ms) => {
        calls.push(`set ${ms}`);
        alarmMs = ms;
      },
    };
    return { store, calls };
  }

  it("reads the alarm back once after a wake, and sets it only for an earlier time", async () => {
    const { store, calls } = storage(5_000);
    const alarm = new EarliestAlarm(store);
    await alarm.atMost(6_000);
    await alarm.atMost(5_000);
    await alarm.atMost(4_000);
    await alarm.atMost(4_500);
    expect(calls).toEqual(["get", "set 4000"]);
  });

  it("sets any time while none is set, and after the alarm ran", async () => {
    const { store, calls } = storage(null);
    const alarm = new EarliestAlarm(store);
    await alarm.atMost(9_000);
    alarm.cleared();
    await alarm.atMost(10_000);
    expect(calls).toEqual(["get", "set 9000", "set 10000"]);
  });
});
