import { describe, expect, it } from "vitest";
import { FrameNotifier } from "../../../dashboard/src/lib/live/frame-notifier.ts";
import { ManualFrames } from "../../fakes/dashboard/manual-frames.ts";

describe("FrameNotifier", () => {
  it("tells every listener once per frame however many changes came, and nobody while nobody listens", () => {
    const frames = new ManualFrames();
    const logged: string[] = [];
    const notifier = new FrameNotifier(frames.schedule, (text) => logged.push(text));
    notifier.changed();
    frames.flush();
    let heard = 0;
    const unsubscribe = notifier.subscribe(() => heard++);
    notifier.changed();
    notifier.changed();
    frames.flush();
    expect(heard).toBe(1);
    unsubscribe();
    notifier.changed();
    frames.flush();
    expect(heard).toBe(1);
    expect(logged).toEqual([]);
  });

  it("logs a listener that throws and still tells the others", () => {
    const frames = new ManualFrames();
    const logged: string[] = [];
    const notifier = new FrameNotifier(frames.schedule, (text) => logged.push(text));
    let heard = 0;
    notifier.subscribe(() => {
      throw new Error("boom");
    });
    notifier.subscribe(() => heard++);
    notifier.notifyNow();
    expect(heard).toBe(1);
    expect(logged).toEqual(["a listener threw: boom"]);
  });
});
