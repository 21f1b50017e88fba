import { describe, expect, it } from "vitest";
import type { Change, HubEvent } from "../../../protocol/index.ts";
import { ChannelCore } from "../../../worker/channel/channel-core.ts";
import { taskHistoryPage, taskRefsOf } from "../../../worker/channel/task-history.ts";
import { MemoryChannelStorage } from "../../fakes/memory-channel-storage.ts";

const T0 = Date.parse("2026-11-01T10:00:00.000Z");
let n = 0;
const e = (type: HubEvent["type"], data: unknown, offsetMs = 0): HubEvent => ({ id: `h-${++n}`, type, occurredAt: new Date(T0 + offsetMs).toISOString(), data }) as HubEvent;

describe("taskRefsOf", () => {
  it("names each task a delta changes once, by tag and id, and nothing else", () => {
    const changes: Change[] = [
      { kind: "task", op: "patch", tag: "master", key: "1", value: { status: "done" } },
      { kind: "task", op: "patch", tag: "master", key: "1", value: { title: "again" } },
      { kind: "task", op: "remove", tag: "feature", key: "1" },
      { kind: "agent", op: "patch", key: "1", value: { status: "busy" } },
      { kind: "meta", op: "patch", value: { currentTag: "master" } },
    ];
    expect(taskRefsOf(changes)).toStrictEqual([
      { tag: "master", id: "1" },
      { tag: "feature", id: "1" },
    ]);
  });
});

describe("taskHistoryPage", () => {
  function seeded() {
    const storage = new MemoryChannelStorage();
    const core = new ChannelCore(storage, { healthHistory: 5, agentTtlMs: 60_000, newEpoch: () => "EPOCH" });
    core.ingest(
      [
        e("task.upsert", { task: { id: 1, title: "A" } }, 0),
        e("task.upsert", { task: { id: 2, title: "B" } }, 1),
        e("task.upsert", { task: { id: 1, status: "in-progress" } }, 2),
        e("agent.status", { agentId: "x", status: "busy", taskId: "1" }, 3),
        e("task.progress", { taskId: 1, percent: 50 }, 4),
        e("task.removed", { taskId: 1 }, 5),
      ],
      T0,
      T0,
    );
    return { storage, core };
  }

  it("pages newest first with an exact nextBefore", () => {
    const { storage, core } = seeded();
    const first = taskHistoryPage(storage, core.position(), { tag: "master", id: "1", before: undefined, limit: 2 });
    expect(first.items.map((i) => i.seq)).toStrictEqual([6, 5]);
    expect(first).toMatchObject({ epoch: "EPOCH", tag: "master", id: "1", nextBefore: 5, oldestRetainedSeq: 1, head: 6 });
    const second = taskHistoryPage(storage, core.position(), { tag: "master", id: "1", before: 5, limit: 2 });
    // Seq 4 is the agent's report: the hub links the agent to the task in the same delta.
    expect(second.items.map((i) => i.seq)).toStrictEqual([4, 3]);
    expect(second.items[0]!.changes).toStrictEqual([{ kind: "task", op: "patch", tag: "master", key: "1", value: { agents: ["x"] } }]);
    expect(second.nextBefore).toBe(3);
    const third = taskHistoryPage(storage, core.position(), { tag: "master", id: "1", before: 3, limit: 2 });
    expect(third.items.map((i) => i.seq)).toStrictEqual([1]);
    expect(third.nextBefore).toBeNull();
    expect(third.items[0]).toMatchObject({ seq: 1, at: new Date(T0).toISOString(), cause: { type: "task.upsert" }, changes: [{ op: "set", key: "1" }] });
  });

  it("a full last page says nothing older exists", () => {
    const { storage, core } = seeded();
    expect(taskHistoryPage(storage, core.position(), { tag: "master", id: "1", before: undefined, limit: 5 }).nextBefore).toBeNull();
    expect(taskHistoryPage(storage, core.position(), { tag: "master", id: "2", before: undefined, limit: 1 }).items.map((i) => i.seq)).toStrictEqual([2]);
  });
});
