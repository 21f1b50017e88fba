import { describe, expect, it } from "vitest";
import { renderPacer } from "../../../dashboard/src/lib/live/render-pacer.ts";
import { FakeClock } from "../../fakes/dashboard/fake-clock.ts";

/** A pacer (interval 100 ms, burst 2) that records when it rendered, ms from the start. */
function paced() {
  const clock = new FakeClock();
  const start = clock.now();
  const at: number[] = [];
  const pacer = renderPacer(() => at.push(clock.now() - start), clock, 100, 2);
  return { clock, at, pacer };
}

describe("renderPacer", () => {
  it("renders a steady feed once per interval after its burst, and its last change within one interval", () => {
    const { clock, at, pacer } = paced();
    // A change every 10 ms for one second (t = 0 … 990).
    for (let i = 0; i < 100; i++) {
      pacer.changed();
      clock.advance(10);
    }
    // Two at once (the burst), then one per 100 ms: the change at 990 ms lands at 1,000 ms.
    expect(at).toEqual([0, 10, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000]);
    pacer.changed();
    clock.advance(100);
    expect(at.at(-1)).toBe(1_100);
    expect(clock.pendingDelays).toEqual([]);
  });

  it("renders sparse changes at once, also two close together", () => {
    const { clock, at, pacer } = paced();
    pacer.changed();
    clock.advance(40);
    pacer.changed();
    clock.advance(500);
    pacer.changed();
    expect(at).toEqual([0, 40, 540]);
    expect(clock.pendingDelays).toEqual([]);
  });

  it("coalesces changes while a render waits into that one render, and cancel drops it", () => {
    const { clock, at, pacer } = paced();
    pacer.changed();
    pacer.changed();
    pacer.changed();
    pacer.changed();
    expect(at).toEqual([0, 0]);
    expect(clock.pendingDelays).toEqual([100]);
    clock.advance(100);
    expect(at).toEqual([0, 0, 100]);
    pacer.changed();
    pacer.cancel();
    clock.advance(1_000);
    expect(at).toEqual([0, 0, 100]);
  });
});
