/**
 * Three views of a channel must agree: the hub's snapshot, the snapshot
 * after the object restarts from storage, and a client that applied every
 * delta from seq 0 with the shared `applyChanges`.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { HubEventInput } from "../../protocol/index.ts";
import { ev, isoAt } from "../../dev/events.ts";
import { send, uniqueChannel } from "./support/hub.ts";
import { SocketProbe } from "./support/socket-probe.ts";
import { expectThreeViewsAgree } from "./support/three-views.ts";

/** HEALTH_HISTORY in wrangler.toml. */
const HEALTH_HISTORY = 300;

afterEach(() => SocketProbe.closeAll());

describe("state fidelity", () => {
  it("a varied history: snapshot, restart and replay from zero agree", async () => {
    const channel = uniqueChannel("fidelity");
    const events: HubEventInput[] = [
      ev.meta({ name: "Fidelity", currentTag: "master" }),
      ev.taskUpsert({ id: 1, title: "Build", status: "in-progress", priority: "high", dependencies: [2], subtasks: [{ id: 1, title: "a" }, { id: "1.2", status: "done" }], metadata: { estimate: 3 } }),
      ev.taskUpsert({ id: 2, title: "Design" }, { tag: "feature-x" }),
      ev.agentStatus("agent-1", "busy", { taskId: "1", name: "Ada", detail: "compiling" }),
      ev.taskProgress(1, 40, { message: "halfway-ish" }),
      ev.taskUpsert({ id: 1, status: "review", agentId: "agent-1" }),
      ev.agentStatus("agent-1", "idle"),
      ev.heartbeat("agent-2"),
      ev.taskRemoved(2, { tag: "feature-x" }),
      ev.taskUpsert({ id: "ui-3", title: "Ünïcødé ✓ 日本" }),
      ev.meta({ currentTag: "feature-x" }),
    ];
    for (const event of events) await send(channel, event);
    // More health samples than HEALTH_HISTORY keeps: the oldest drop out everywhere alike.
    const samples = Array.from({ length: HEALTH_HISTORY + 20 }, (_, i) => ev.health("ci", { cpu: i % 100, queueDepth: i }, isoAt(i)));
    await send(channel, ...samples.slice(0, 200));
    await send(channel, ...samples.slice(200));

    const state = await expectThreeViewsAgree(channel);
    expect(state.health.ci).toHaveLength(HEALTH_HISTORY);
    expect(state.health.ci![0]!.queueDepth).toBe(20);
    expect(state.tasks["feature-x"]).toBeUndefined();
    expect(state.tasks.master?.["1"]).toMatchObject({ status: "review", agentId: "agent-1", progress: { percent: 40, message: "halfway-ish" } });
    expect(state.agents["agent-1"]).toMatchObject({ name: "Ada", status: "idle", taskId: null, detail: null });
  });

  it("names that are also Object.prototype members are ordinary names", async () => {
    const channel = uniqueChannel("fidelity-proto");
    const names = ["constructor", "toString", "hasOwnProperty", "valueOf"];
    for (const name of names) {
      expect(
        await send(
          channel,
          ev.agentStatus(name, "busy", { taskId: name }),
          ev.taskUpsert({ id: name, title: `task ${name}` }, { tag: name }),
          ev.taskProgress(name, 10, { tag: name }),
          ev.health(name, { cpu: 1 }),
        ),
      ).toMatchObject({ accepted: 4, stale: 0 });
    }
    await send(channel, ev.taskRemoved("toString", { tag: "toString" }), ev.heartbeat("valueOf"));

    const state = await expectThreeViewsAgree(channel);
    expect(Object.keys(state.agents).sort()).toStrictEqual([...names].sort());
    expect(state.agents.constructor).toMatchObject({ id: "constructor", status: "busy", taskId: "constructor" });
    expect(Object.keys(state.tasks).sort()).toStrictEqual(["constructor", "hasOwnProperty", "valueOf"]);
    expect(state.tasks.constructor?.constructor).toMatchObject({ id: "constructor", title: "task constructor", progress: { percent: 10 } });
    expect(Object.keys(state.health).sort()).toStrictEqual([...names].sort());
    // Nothing leaked onto the built-ins of the isolate the hub runs in.
    expect(Object.hasOwn(Object, "status")).toBe(false);
    expect(Object.hasOwn(Object, "constructor")).toBe(false);
  });
});
