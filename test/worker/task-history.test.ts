/**
 * `GET /api/channels/:channel/tasks/:tag/:id/history`: a task's retained
 * history from the delta log, newest first and paged, through the index the
 * storage writes with every delta; the index's migration for a log written
 * before it existed; strict parameters and viewer auth.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_TASK_HISTORY_LIMIT, Paths, type TaskHistoryResponse } from "../../protocol/index.ts";
import { SqliteChannelStorage } from "../../worker/channel/sqlite-storage.ts";
import { ev } from "../../dev/events.ts";
import { expectError } from "./support/http-expect.ts";
import { HUB_URL, channelObject, fetchHub, hub, send, snapshot, uniqueChannel } from "./support/hub.ts";


async function history(channel: string, tag: string, id: string, query = ""): Promise<TaskHistoryResponse> {
  const res = await hub.get(`${Paths.taskHistory(channel, tag, id)}${query}`, await hub.viewerTicket());
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return res.json();
}

/** A task created, moved along, given progress and a subtask change, among changes to other tasks and tags. */
async function seedProject(channel: string): Promise<void> {
  await send(channel, ev.taskUpsert({ id: 1, title: "Set up", status: "pending", subtasks: [{ id: 1, title: "Repo", status: "pending" }] }));
  await send(channel, ev.taskUpsert({ id: 2, title: "Other task" }));
  await send(channel, ev.taskUpsert({ id: 1, title: "Set up", status: "pending" }, { tag: "feature" }));
  await send(channel, ev.taskUpsert({ id: 1, status: "in-progress" }));
  await send(channel, ev.agentStatus("coder", "busy", { taskId: "1" }));
  await send(channel, ev.taskProgress(1, 40, { message: "halfway" }));
  await send(channel, ev.taskUpsert({ id: 1, subtasks: [{ id: 1, title: "Repo", status: "done" }] }));
  await send(channel, ev.taskUpsert({ id: 2, status: "done" }));
}

describe("task history", () => {
  it("lists the task's own deltas, newest first, each reduced to that task's changes", async () => {
    const channel = uniqueChannel("history");
    await seedProject(channel);
    const { epoch, seq: head } = await snapshot(channel);
    const body = await history(channel, "master", "1");
    expect(body).toMatchObject({ epoch, tag: "master", id: "1", nextBefore: null, oldestRetainedSeq: 1, head });
    // Seq 5 is the agent's report: the hub links the agent to the task in the same delta.
    expect(body.items.map((i) => i.seq)).toStrictEqual([7, 6, 5, 4, 1]);
    expect(body.items.map((i) => i.cause?.type)).toStrictEqual(["task.upsert", "task.progress", "agent.status", "task.upsert", "task.upsert"]);
    expect(body.items[0]!.changes).toMatchObject([{ kind: "task", op: "patch", tag: "master", key: "1", value: { subtasks: [{ id: "1.1", status: "done" }] } }]);
    expect(body.items[1]!.changes).toMatchObject([{ op: "patch", value: { progress: { percent: 40, message: "halfway" } } }]);
    expect(body.items[2]!.changes).toStrictEqual([{ kind: "task", op: "patch", tag: "master", key: "1", value: { agents: ["coder"] } }]);
    expect(body.items[3]!.changes).toMatchObject([{ op: "patch", value: { status: "in-progress" } }]);
    expect(body.items[4]!.changes).toMatchObject([{ op: "set", value: { id: "1", title: "Set up", status: "pending" } }]);
    for (const item of body.items) expect(Date.parse(item.at)).not.toBeNaN();

    const other = await history(channel, "feature", "1");
    expect(other.items.map((i) => i.seq)).toStrictEqual([3]);
  });

  it("pages with before and limit, and keeps a removal", async () => {
    const channel = uniqueChannel("history-pages");
    await seedProject(channel);
    await send(channel, ev.taskRemoved(1));
    const first = await history(channel, "master", "1", "?limit=2");
    expect(first.items.map((i) => i.seq)).toStrictEqual([9, 7]);
    expect(first.items[0]!.changes).toStrictEqual([{ kind: "task", op: "remove", tag: "master", key: "1" }]);
    expect(first.nextBefore).toBe(7);
    const second = await history(channel, "master", "1", `?limit=2&before=${first.nextBefore}`);
    expect(second.items.map((i) => i.seq)).toStrictEqual([6, 5]);
    expect(second.nextBefore).toBe(5);
    const third = await history(channel, "master", "1", `?limit=2&before=${second.nextBefore}`);
    expect(third.items.map((i) => i.seq)).toStrictEqual([4, 1]);
    expect(third.nextBefore).toBeNull();
  });

  it("answers an empty page for a task the log never saw, and takes ids with dots", async () => {
    const channel = uniqueChannel("history-empty");
    await send(channel, ev.taskUpsert({ id: "2.1", title: "A dotted top-level id" }));
    expect((await history(channel, "master", "404")).items).toStrictEqual([]);
    expect((await history(channel, "master", "2.1")).items.map((i) => i.seq)).toStrictEqual([1]);
  });

  it("rejects bad parameters with a 400 that names the field", async () => {
    const channel = uniqueChannel("history-bad");
    const cases: [string, string, string, string][] = [
      ["master", "1", "?before=abc", "before"],
      ["master", "1", "?before=-1", "before"],
      ["master", "1", "?before=0", "before"],
      ["master", "1", "?before=1e3", "before"],
      ["master", "1", "?limit=0", "limit"],
      ["master", "1", `?limit=${MAX_TASK_HISTORY_LIMIT + 1}`, "limit"],
      ["master", "1", "?limit=+5", "limit"],
      ["-master", "1", "", "tag"],
      ["master", "-1", "", "id"],
      ["master", "a b", "", "id"],
    ];
    for (const [tag, id, query, field] of cases) {
      const res = await hub.get(`${Paths.taskHistory(channel, tag, id)}${query}`, await hub.viewerTicket());
      await expectError(res, 400, { code: "bad_request", message: new RegExp(`^${field} `), details: { field } });
    }
  });

  it("needs a viewer ticket that grants the channel", async () => {
    const channel = uniqueChannel("history-auth");
    await send(channel, ev.taskUpsert({ id: 1 }));
    await expectError(await hub.get(Paths.taskHistory(channel, "master", "1")), 401, { code: "unauthorized", message: /./ });
    const other = await hub.ticket(["someone-else"]);
    await expectError(await hub.get(Paths.taskHistory(channel, "master", "1"), other), 403, { code: "forbidden", message: /./ });
    const mine = await hub.ticket([channel]);
    expect((await hub.get(Paths.taskHistory(channel, "master", "1"), mine)).status).toBe(200);
  });

  it("405 for another method", async () => {
    const res = await fetchHub(HUB_URL + Paths.taskHistory("abc", "master", "1"), { method: "POST", headers: { authorization: `Bearer ${await hub.viewerTicket()}` } });
    await expectError(res, 405, { code: "method_not_allowed", message: "POST is not allowed on /api/channels/abc/tasks/master/1/history" });
  });
});

describe("the history index in storage", () => {
  it("indexes, once, a log written before the index existed", async () => {
    const channel = uniqueChannel("history-migration");
    await seedProject(channel);
    const stub = channelObject(channel);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("DROP TABLE delta_tasks");
      state.storage.sql.exec("DELETE FROM meta WHERE name = 'history_indexed'");
    });
    await evictDurableObject(stub);
    expect((await history(channel, "master", "1")).items.map((i) => i.seq)).toStrictEqual([7, 6, 5, 4, 1]);
    expect((await history(channel, "master", "2")).items.map((i) => i.seq)).toStrictEqual([8, 2]);
    const rows = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM delta_tasks").one().n);
    expect(rows).toBe(8);
  });

  it("forgets the index rows of trimmed deltas", async () => {
    const channel = uniqueChannel("history-trim");
    await seedProject(channel);
    const remaining = await runInDurableObject(channelObject(channel), (_i, state) => {
      new SqliteChannelStorage(state.storage).trim(5, 0);
      return state.storage.sql.exec<{ seq: number }>("SELECT seq FROM delta_tasks ORDER BY seq").toArray().map((r) => r.seq);
    });
    expect(remaining).toStrictEqual([5, 6, 7, 8]);
    const body = await history(channel, "master", "1");
    expect(body.items.map((i) => i.seq)).toStrictEqual([7, 6, 5]);
    expect(body.oldestRetainedSeq).toBe(5);
  });
});
