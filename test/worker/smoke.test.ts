import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";
import { HubClient } from "../support/hub-client.ts";
import { ev } from "../support/events.ts";

const hub = new HubClient("http://hub.test", (i, init) => SELF.fetch(i, init));

it("answers health", async () => {
  const res = await SELF.fetch("http://hub.test/api/health");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true });
});

it("ingests and snapshots", async () => {
  const r = await hub.send("smoke", [ev.agentStatus("a1", "busy", { taskId: "1" }), ev.taskUpsert({ id: 1, title: "One", subtasks: [{ id: 1, title: "s" }] })]);
  expect(r).toEqual({ accepted: 2, duplicates: 0, stale: 0, head: 2 });
  const snap = await hub.snapshot("smoke");
  expect(snap.seq).toBe(2);
  expect(snap.state.tasks.master?.["1"]?.subtasks[0]?.id).toBe("1.1");
  expect(snap.state.agents.a1?.status).toBe("busy");
});
