import { describe, expect, it } from "vitest";
import { validateEvent } from "../../../bridge/src/delivery/validate.ts";
import { DemoProject } from "../../../bridge/src/demo/demo-project.ts";
import { applyChanges, emptyState, reduceOnHub } from "./hub-replay.ts";

/** Deterministic randomness (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("DemoProject", () => {
  it("produces only valid events, moves tasks through statuses and agents through busy/idle, and starts new sprints", () => {
    let now = Date.parse("2026-03-01T10:00:00Z");
    const demo = new DemoProject({ random: seeded(42), nowMs: () => (now += 1500) });
    const hub = { state: emptyState(), versions: new Map<string, number>() };
    const statuses = new Set<string>();
    const agentStatuses = new Set<string>();
    let sawAllDone = false;
    const feed = (inputs: unknown[]) => {
      for (const input of inputs) {
        const checked = validateEvent(input);
        if (!checked.ok) throw new Error(checked.message);
        applyChanges(hub.state, reduceOnHub(hub, checked.event));
      }
    };
    feed(demo.fullState());
    expect(Object.keys(hub.state.tasks.master ?? {})).toHaveLength(8);
    for (let i = 0; i < 400; i++) {
      feed(demo.tick());
      if (i % 2 === 0) feed(demo.healthSamples());
      if (i % 5 === 0) feed(demo.heartbeats());
      const tasks = Object.values(hub.state.tasks.master ?? {});
      for (const t of tasks) statuses.add(t.status);
      for (const a of Object.values(hub.state.agents)) agentStatuses.add(a.status);
      if (tasks.every((t) => t.status === "done")) sawAllDone = true;
    }
    expect([...statuses]).toEqual(expect.arrayContaining(["pending", "in-progress", "review", "done"]));
    expect([...agentStatuses]).toEqual(expect.arrayContaining(["busy", "idle"]));
    expect(sawAllDone).toBe(true);
    // A new sprint started after everything was done.
    expect(Object.values(hub.state.tasks.master ?? {}).some((t) => t.status !== "done")).toBe(true);
    expect(hub.state.health["build-runner-1"]?.length).toBeGreaterThan(5);
    expect(hub.state.meta).toEqual({ name: "Demo: checkout service", currentTag: "master" });
  });
});
