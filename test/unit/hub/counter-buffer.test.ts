import { describe, expect, it } from "vitest";
import { CounterBuffer } from "../../../worker/channel/counter-buffer.ts";
import { zeroCounters } from "../../../worker/channel/storage.ts";

describe("CounterBuffer", () => {
  it("sums increments and keeps the highest peak until taken", () => {
    const b = new CounterBuffer();
    expect(b.isEmpty).toBe(true);
    b.add({ framesOut: 2, bytesOut: 10 });
    b.add({ framesOut: 1, eventsRejected: 0 });
    b.raise("peakConnections", 3);
    b.raise("peakConnections", 2);
    expect(b.isEmpty).toBe(false);
    expect(b.take()).toStrictEqual({ increments: { framesOut: 3, bytesOut: 10 }, atLeast: { peakConnections: 3 } });
    expect(b.isEmpty).toBe(true);
    expect(b.take()).toStrictEqual({ increments: {}, atLeast: {} });
  });

  it("reads as the stored counters plus what is held; a held peak below the stored one changes nothing", () => {
    const b = new CounterBuffer();
    b.add({ framesOut: 5 });
    b.raise("peakConnections", 4);
    const stored = { ...zeroCounters(), framesOut: 100, peakConnections: 7 };
    expect(b.over(stored)).toStrictEqual({ ...stored, framesOut: 105, peakConnections: 7 });
    b.raise("peakConnections", 9);
    expect(b.over(stored).peakConnections).toBe(9);
  });

  it("an increment of zero holds nothing", () => {
    const b = new CounterBuffer();
    b.add({ framesOut: 0 });
    expect(b.isEmpty).toBe(true);
  });
});
