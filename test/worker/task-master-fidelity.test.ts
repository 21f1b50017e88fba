/**
 * Task Master fidelity on the real Worker: clearing a field with null, raw
 * statuses, sibling subtask dependencies, and project.sync — each agreeing
 * across the snapshot, a restart from storage and a replay from zero.
 */
import { evictDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { HubEventInput } from "../../protocol/index.ts";
import { ev, isoAt } from "../../dev/events.ts";
import { channelObject, hub, send, snapshot, uniqueChannel } from "./support/hub.ts";
import { SocketProbe } from "./support/socket-probe.ts";
import { expectThreeViewsAgree } from "./support/three-views.ts";

afterEach(() => SocketProbe.closeAll());

let counter = 0;
const projectSync = (tags: { tag: string; taskIds: (string | number)[] }[], occurredAt = isoAt()): HubEventInput => ({ id: `ps-${++counter}-${Date.now()}`, type: "project.sync", occurredAt, data: { tags } });
const projectTags = (tags: { name: string; description?: string }[], occurredAt = isoAt()): HubEventInput => ({ id: `pt-${++counter}-${Date.now()}`, type: "project.meta", occurredAt, data: { tags } });

describe("task.upsert fidelity", () => {
  it("clears fields given as null, keeps raw statuses and sibling dependencies, and the three views agree", async () => {
    const channel = uniqueChannel("tm-fidelity");
    await send(
      channel,
      ev.taskUpsert({ id: 1, title: "A", priority: "high", details: "**bold**", complexity: { score: 6, recommendedSubtasks: 3, reasoning: "r" }, createdAt: "2026-01-01T00:00:00.000Z" }, { occurredAt: isoAt(-3000) }),
      ev.taskUpsert({ id: 2, title: "B", statusRaw: "completed", subtasks: [{ id: 1, title: "s1" }, { id: 2, title: "s2", dependencies: [1, "1.1"], statusRaw: "qa-hold" }] }, { occurredAt: isoAt(-2000) }),
      ev.taskUpsert({ id: 1, priority: null, details: null, complexity: null, statusRaw: "needs-design" }, { occurredAt: isoAt(-1000) }),
    );
    const state = await expectThreeViewsAgree(channel);
    const one = state.tasks.master!["1"]!;
    expect(one).not.toHaveProperty("priority");
    expect(one).not.toHaveProperty("details");
    expect(one).not.toHaveProperty("complexity");
    expect(one).toMatchObject({ title: "A", status: "blocked", statusRaw: "needs-design", createdAt: "2026-01-01T00:00:00.000Z" });
    const two = state.tasks.master!["2"]!;
    expect(two.status).toBe("done");
    expect(two).not.toHaveProperty("statusRaw");
    expect(two.subtasks[1]).toMatchObject({ id: "2.2", status: "blocked", statusRaw: "qa-hold", dependencies: ["2.1", "1.1"] });
  });

  it("refuses null for title with a 422 naming the field", async () => {
    const res = await hub.post(uniqueChannel("tm-null-title"), ev.taskUpsert({ id: 1, title: null }));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(body.error.code).toBe("invalid_event");
    expect(JSON.stringify(body.error.details.issues)).toContain("title");
  });
});

describe("project.sync", () => {
  it("removes in one delta what the project no longer has, keeps newer tasks, and its tombstones survive a restart", async () => {
    const channel = uniqueChannel("tm-sync");
    await send(
      channel,
      ev.taskUpsert({ id: 1, title: "keep" }, { occurredAt: isoAt(-5000) }),
      ev.taskUpsert({ id: 2, title: "gone" }, { occurredAt: isoAt(-5000) }),
      ev.taskUpsert({ id: 7, title: "old tag" }, { tag: "old", occurredAt: isoAt(-5000) }),
      ev.taskUpsert({ id: 9, title: "newer than the sync" }, { occurredAt: isoAt(-500) }),
      projectTags([{ name: "master", description: "Main" }, { name: "empty" }], isoAt(-5000)),
    );
    const before = await snapshot(channel);
    const viewer = await SocketProbe.open(channel, { ticket: await hub.viewerTicket(), since: before.seq, epoch: before.epoch });
    await viewer.waitFor("hello", (f) => f.length >= 1);

    expect(await send(channel, projectSync([{ tag: "master", taskIds: [1] }, { tag: "empty", taskIds: [] }], isoAt(-1000)))).toMatchObject({ accepted: 1, head: before.seq + 1 });
    await viewer.waitForSeq(before.seq + 1, 10_000);
    expect(viewer.deltas).toHaveLength(1);
    expect(viewer.deltas[0]!.changes).toEqual([
      { kind: "task", op: "remove", tag: "master", key: "2" },
      { kind: "task", op: "remove", tag: "old", key: "7" },
    ]);
    expect(viewer.deltas[0]!.cause).toMatchObject({ type: "project.sync" });

    // The same sync again changes nothing; an older upsert of a removed task is stale, also after a restart.
    expect(await send(channel, projectSync([{ tag: "master", taskIds: [1] }], isoAt(-900)))).toMatchObject({ accepted: 1, head: before.seq + 1 });
    // Dated before the eviction, which may wait for the object's pending timers (a second or more).
    const late = ev.taskUpsert({ id: 2, title: "late" }, { occurredAt: isoAt(-2000) });
    await evictDurableObject(channelObject(channel));
    expect(await send(channel, late)).toMatchObject({ stale: 1 });

    const state = await expectThreeViewsAgree(channel);
    expect(Object.keys(state.tasks)).toEqual(["master"]);
    expect(Object.keys(state.tasks.master!).sort()).toEqual(["1", "9"]);
    expect(state.meta.tags).toEqual([{ name: "master", description: "Main" }, { name: "empty" }]);
  });

  it("refuses a tag named twice with a 422", async () => {
    const refused = await hub.post(uniqueChannel("tm-sync-bad"), projectSync([{ tag: "a", taskIds: [] }, { tag: "a", taskIds: [1] }]));
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toContain("must not name a tag twice");
  });
});
