import { describe, expect, it } from "vitest";
import { renderPacer } from "../../../dashboard/src/lib/live/render-pacer.ts";
import { FakeClock } from "../../fakes/dashboard/fake-clock.ts";

describe("renderPacer", () => {
  it("renders a busy feed at most once per interval, and its last change within one interval", () => {
    const clock = new FakeClock();
    const start = clock.now();
    const at: number[] = [];
    const pacer = renderPacer(() => at.push(clock.now() - start), clock, 100);
    // A change every 10 ms for one second (t = 0 … 990).
    for (let i = 0; i < 100; i++) {
      pacer.changed();
      clock.advance(10);
    }
    // The first at once, then one per 100 ms: the change at 990 ms lands at 1,000 ms.
    expect(at).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000]);
    expect(clock.pendingDelays).toEqual([]);
  });

  it("renders again at once after a quiet spell", () => {
    const clock = new FakeClock();
    let renders = 0;
    const pacer = renderPacer(() => renders++, clock, 100);
    pacer.changed();
    clock.advance(500);
    pacer.changed();
    expect(renders).toBe(2);
    expect(clock.pendingDelays).toEqual([]);
  });

  it("coalesces changes within the interval into one render, and cancel drops it", () => {
    const clock = new FakeClock();
    let renders = 0;
    const pacer = renderPacer(() => renders++, clock, 100);
    pacer.changed();
    pacer.changed();
    pacer.changed();
    expect(renders).toBe(1);
    expect(clock.pendingDelays).toEqual([100]);
    clock.advance(100);
    expect(renders).toBe(2);
    pacer.changed();
    pacer.cancel();
    clock.advance(1_000);
    expect(renders).toBe(2);
  });
});
