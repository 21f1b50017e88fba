import { describe, expect, it } from "vitest";
import { Paths, emptyState, parseServerFrame, type AgentState, type ChannelState, type Change, type ServerFrame, type TaskState } from "../../../protocol/index.ts";

const at = "2026-01-01T00:00:00Z";
const agent: AgentState = { id: "a1", status: "busy", taskId: "1", detail: null, lastSeenAt: at, updatedAt: at };
const task: TaskState = { id: "1", tag: "master", status: "pending", dependencies: [], subtasks: [{ id: "1.1", status: "done", dependencies: ["1"] }], updatedAt: at };
const everyChange: Change[] = [
  { kind: "agent", op: "set", key: "a1", value: agent },
  { kind: "agent", op: "patch", key: "a1", value: { status: "idle", taskId: null } },
  { kind: "task", op: "set", tag: "master", key: "1", value: task },
  { kind: "task", op: "patch", tag: "master", key: "1", value: { progress: { percent: 50, at }, metadata: { constructor: 1 } } },
  { kind: "task", op: "remove", tag: "master", key: "1" },
  { kind: "health", op: "append", key: "ci", value: { at, cpu: 5, memory: { usedBytes: 1, totalBytes: 2 }, queueDepth: 3 }, limit: 300 },
  { kind: "meta", op: "patch", value: { name: "p", currentTag: "master" } },
];

/** Names that are also members of Object.prototype: valid ids, which a naive record schema drops. */
function stateWithPrototypeNames(): ChannelState {
  const state = emptyState();
  for (const name of ["constructor", "prototype", "toString"]) {
    state.agents[name] = { ...agent, id: name };
    state.tasks[name] = { [name]: { ...task, id: name, tag: name, subtasks: [] } };
    state.health[name] = [{ at }];
  }
  return state;
}

describe("parseServerFrame", () => {
  it.each<ServerFrame>([
    { type: "hello", protocol: 1, channel: "demo", epoch: "e", head: 0, recovered: false },
    { type: "snapshot", epoch: "e", seq: 3, state: stateWithPrototypeNames() },
    { type: "delta", epoch: "e", seq: 1, at, changes: everyChange, cause: { type: "task.upsert", id: "evt-1" } },
    { type: "delta", epoch: "e", seq: 2, at, changes: [], cause: { type: "agent.expired" } },
    { type: "hello", protocol: 2, channel: "demo", epoch: "e", head: 9, recovered: false, reason: "cheaper-snapshot" },
    {
      type: "deltas",
      epoch: "e",
      deltas: [
        { type: "delta", epoch: "e", seq: 4, at, changes: everyChange },
        { type: "delta", epoch: "e", seq: 5, at, changes: [], cause: { type: "agent.expired" } },
      ],
    },
    { type: "error", code: "rate_limited", message: "slow down" },
    { type: "auth-ok", expiresAt: at },
    { type: "pong" },
  ])("reads the hub's $type frame back as sent", (frame) => {
    // toEqual, not toStrictEqual: an entity named "constructor" is an own key that toStrictEqual mistakes for a class.
    expect(parseServerFrame(JSON.stringify(frame))).toEqual(frame);
  });

  it("keeps entities whose names are Object.prototype members", () => {
    const frame = parseServerFrame(JSON.stringify({ type: "snapshot", epoch: "e", seq: 3, state: stateWithPrototypeNames() }));
    const state = frame?.type === "snapshot" ? frame.state : null;
    const names = ["constructor", "prototype", "toString"];
    expect([state?.agents, state?.tasks, state?.health].map((record) => Object.keys(record ?? {}))).toStrictEqual([names, names, names]);
    expect(Object.hasOwn(state?.tasks.constructor ?? {}, "constructor")).toBe(true);
  });

  it.each([
    ["not JSON", "{"],
    ["an unknown type", { type: "welcome" }],
    ["a delta with seq 0", { type: "delta", epoch: "e", seq: 0, at, changes: [] }],
    ["a deltas frame of one delta (one travels as delta)", { type: "deltas", epoch: "e", deltas: [{ type: "delta", epoch: "e", seq: 1, at, changes: [] }] }],
    ["a deltas frame holding a bad delta", { type: "deltas", epoch: "e", deltas: [{ type: "delta", epoch: "e", seq: 1, at, changes: [] }, { type: "delta", epoch: "e", seq: 0, at, changes: [] }] }],
    ["a hello with an unknown reason", { type: "hello", protocol: 2, channel: "demo", epoch: "e", head: 0, recovered: false, reason: "tired" }],
    ["a delta with a fractional seq", { type: "delta", epoch: "e", seq: 1.5, at, changes: [] }],
    ["a delta with an unknown change kind", { type: "delta", epoch: "e", seq: 1, at, changes: [{ kind: "user", op: "set", key: "u", value: {} }] }],
    ["a hello with a negative head", { type: "hello", protocol: 1, channel: "demo", epoch: "e", head: -1, recovered: true }],
    ["a snapshot without a state", { type: "snapshot", epoch: "e", seq: 0, state: {} }],
    ["a snapshot with a partial state", { type: "snapshot", epoch: "e", seq: 0, state: { agents: {} } }],
    ["a health append with limit 0", { type: "delta", epoch: "e", seq: 1, at, changes: [{ kind: "health", op: "append", key: "ci", value: { at }, limit: 0 }] }],
  ])("rejects %s", (_what, frame) => {
    expect(parseServerFrame(typeof frame === "string" ? frame : JSON.stringify(frame))).toBeNull();
  });
});

describe("Paths", () => {
  it("builds every route's path from the route table, encoding the channel", () => {
    expect(Paths.webhook("my.project")).toBe("/webhooks/my.project");
    expect(Paths.socket("a b")).toBe("/ws/a%20b");
    expect([Paths.ticket, Paths.health, Paths.channels]).toStrictEqual(["/api/auth/ticket", "/api/health", "/api/channels"]);
    expect([Paths.snapshot("c"), Paths.deltas("c"), Paths.metrics("c")]).toStrictEqual(["/api/channels/c/snapshot", "/api/channels/c/deltas", "/api/channels/c/metrics"]);
  });
});
