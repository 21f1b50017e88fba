/**
 * The alarm: quiet agents go offline (a delta like any other), and the
 * delta log is trimmed to what the retention rule requires. A client whose
 * cursor fell out of the log gets a snapshot instead of a gap.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  DELTA_LOG_MIN_AGE_MS,
  DELTA_LOG_MIN_ENTRIES,
  MAX_DELTAS_PER_RESPONSE,
  MAX_EVENTS_PER_BATCH,
  MAX_LONG_TEXT_BYTES,
  Paths,
  PROTOCOL_VERSION,
  type AgentState,
  type DeltasResponse,
} from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { channelObject, hub, metrics, send, snapshot, uniqueChannel } from "./support/hub.ts";
import { SocketProbe, settle } from "./support/socket-probe.ts";

/** A viewer's ticket for every channel. */
let TICKET = "";
beforeAll(async () => {
  TICKET = await hub.viewerTicket();
});
/** AGENT_TTL_SECONDS in vitest.config.ts. */
const AGENT_TTL_MS = 60_000;
const MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;

afterEach(() => SocketProbe.closeAll());

/** Moves an agent's lastSeenAt into the past in storage, then restarts the object so it reads it back. */
async function backdateAgent(channel: string, agentId: string, ageMs: number): Promise<void> {
  const stub = channelObject(channel);
  await runInDurableObject(stub, (_i, state) => {
    const row = state.storage.sql.exec<{ value: string }>("SELECT value FROM entities WHERE key = ?", `agent/${agentId}`).one();
    const agent = JSON.parse(row.value) as AgentState;
    agent.lastSeenAt = new Date(Date.now() - ageMs).toISOString();
    state.storage.sql.exec("UPDATE entities SET value = ? WHERE key = ?", JSON.stringify(agent), `agent/${agentId}`);
  });
  await evictDurableObject(stub, { webSockets: "hibernate" });
}

function scheduledAlarm(channel: string): Promise<number | null> {
  return runInDurableObject(channelObject(channel), (_i, state) => state.storage.getAlarm());
}

describe("agent expiry", () => {
  it("the alarm sets quiet agents offline with an agent.expired delta that sockets receive", async () => {
    const channel = uniqueChannel("expiry");
    await send(channel, ev.agentStatus("quiet", "busy", { taskId: "4", detail: "compiling" }), ev.agentStatus("fresh", "online"), ev.agentStatus("gone", "offline"));
    const { epoch } = await snapshot(channel);
    const viewers = [await SocketProbe.open(channel, { ticket: TICKET, since: 3, epoch }), await SocketProbe.open(channel, { ticket: TICKET })];
    for (const v of viewers) await v.waitFor("ready", (f) => f.length >= 1);

    // An alarm is due when the first agent can expire.
    const due = await scheduledAlarm(channel);
    expect(due).not.toBeNull();
    expect(due!).toBeGreaterThan(Date.now() + AGENT_TTL_MS - 5_000);
    expect(due!).toBeLessThanOrEqual(Date.now() + AGENT_TTL_MS);

    await backdateAgent(channel, "quiet", AGENT_TTL_MS + 1_000);
    expect(await runDurableObjectAlarm(channelObject(channel))).toBe(true);

    for (const v of viewers) {
      const delta = await v.waitForSeq(4);
      expect(delta).toStrictEqual({
        type: "delta",
        epoch,
        seq: 4,
        at: expect.any(String),
        changes: [{ kind: "agent", op: "patch", key: "quiet", value: { status: "offline", detail: "no event for 60 s" } }],
        cause: { type: "agent.expired" },
      });
    }
    const snap = await snapshot(channel);
    expect(snap.seq).toBe(4);
    expect(snap.state.agents.quiet).toMatchObject({ status: "offline", detail: "no event for 60 s", taskId: "4" });
    expect(snap.state.agents.fresh?.status).toBe("online");
    expect(snap.state.agents.gone?.status).toBe("offline");

    // The next alarm is for the agent still online.
    const next = await scheduledAlarm(channel);
    expect(next).not.toBeNull();
    expect(next!).toBeLessThanOrEqual(Date.parse(snap.state.agents.fresh!.lastSeenAt) + AGENT_TTL_MS);

    // Nothing else is due: another run changes nothing.
    expect(await runDurableObjectAlarm(channelObject(channel))).toBe(true);
    await settle();
    expect((await snapshot(channel)).seq).toBe(4);
    expect(viewers[0]!.deltas.map((d) => d.seq)).toStrictEqual([4]);

    // A heartbeat brings the agent back.
    await send(channel, ev.heartbeat("quiet"));
    const back = await viewers[0]!.waitForSeq(5);
    expect(back.changes).toStrictEqual([{ kind: "agent", op: "patch", key: "quiet", value: expect.objectContaining({ status: "online", detail: null }) }]);
  });

  it("a client replaying across the expiry sees the same delta", async () => {
    const channel = uniqueChannel("expiry-replay");
    await send(channel, ev.agentStatus("a1", "idle"));
    const { epoch } = await snapshot(channel);
    await backdateAgent(channel, "a1", AGENT_TTL_MS * 3);
    await runDurableObjectAlarm(channelObject(channel));
    const viewer = await SocketProbe.open(channel, { ticket: TICKET, since: 1, epoch });
    const delta = await viewer.waitForSeq(2);
    expect(viewer.frames[0]).toMatchObject({ type: "hello", recovered: true, head: 2 });
    expect(delta.cause).toStrictEqual({ type: "agent.expired" });
  });
});

describe("delta log retention", () => {
  const channel = uniqueChannel("retention");
  const TOTAL = DELTA_LOG_MIN_ENTRIES + MAX_EVENTS_PER_BATCH; // 10,500
  const BIG_TASKS = 20;
  let epoch = "";

  // Then restarts the object, as the hour passing would make the trim due again (the alarm trims at most once per MAINTENANCE_INTERVAL_MS).
  const backdate = async (throughSeq: number) => {
    await runInDurableObject(channelObject(channel), (_i, state) => {
      state.storage.sql.exec("UPDATE deltas SET at = ? WHERE seq <= ?", Date.now() - DELTA_LOG_MIN_AGE_MS - 3_600_000, throughSeq);
    });
    await evictDurableObject(channelObject(channel), { webSockets: "hibernate" });
  };
  const logBounds = async () => (await metrics(channel)).log;

  beforeAll(async () => {
    const started = Date.now();
    // A state of about 4 MB: heavier than the 10,000 retained progress deltas, so a resume inside the log is a replay, not a cheaper snapshot.
    for (let id = 1; id <= BIG_TASKS; id++) await send(channel, ev.taskUpsert({ id, title: "busy task", description: "d".repeat(MAX_LONG_TEXT_BYTES) }));
    for (let sent = BIG_TASKS; sent < TOTAL; ) {
      const n = Math.min(MAX_EVENTS_PER_BATCH, TOTAL - sent);
      // Upserts, one delta each: progress updates would be conflated (COALESCE_MS).
      const batch = Array.from({ length: n }, (_, i) => ev.taskUpsert({ id: 1, title: `busy task ${sent + i}` }));
      await send(channel, ...batch);
      sent += n;
    }
    console.log(`retention: ingested ${TOTAL} deltas in ${Date.now() - started} ms`);
    epoch = (await snapshot(channel)).epoch;
  }, 60_000);

  it("the alarm is scheduled for routine trimming once the log has deltas", async () => {
    const due = await scheduledAlarm(channel);
    expect(due).not.toBeNull();
    expect(due!).toBeGreaterThan(Date.now());
    expect(due!).toBeLessThanOrEqual(Date.now() + MAINTENANCE_INTERVAL_MS);
  });

  it("keeps everything younger than 24 h, even beyond 10,000 deltas", async () => {
    expect(await runDurableObjectAlarm(channelObject(channel))).toBe(true);
    expect(await logBounds()).toStrictEqual({ epoch, head: TOTAL, oldest: 1 });
  });

  it("keeps deltas younger than 24 h when they are more than 10,000", async () => {
    await backdate(300);
    await runDurableObjectAlarm(channelObject(channel));
    expect(await logBounds()).toStrictEqual({ epoch, head: TOTAL, oldest: 301 });
  });

  it("keeps the newest 10,000 deltas when older ones are past 24 h", async () => {
    await backdate(TOTAL);
    await runDurableObjectAlarm(channelObject(channel));
    expect(await logBounds()).toStrictEqual({ epoch, head: TOTAL, oldest: TOTAL - DELTA_LOG_MIN_ENTRIES + 1 });
    const count = await runInDurableObject(channelObject(channel), (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deltas").one().n);
    expect(count).toBe(DELTA_LOG_MIN_ENTRIES);
  });

  it("a socket whose since fell out of the log gets hello (not recovered) and a snapshot", async () => {
    const oldest = TOTAL - DELTA_LOG_MIN_ENTRIES + 1;
    const rest = await snapshot(channel);
    const viewer = await SocketProbe.open(channel, { ticket: TICKET, since: oldest - 2, epoch });
    const [hello, snap] = await viewer.waitForFrames(2);
    expect(hello).toStrictEqual({ type: "hello", protocol: PROTOCOL_VERSION, channel, epoch, head: TOTAL, recovered: false, reason: "too-old" });
    expect(snap).toStrictEqual({ type: "snapshot", ...rest });
    await settle();
    expect(viewer.frames).toHaveLength(2);
  });

  it("since = oldest - 1 still recovers; a long replay is sent in order across pages", async () => {
    const oldest = TOTAL - DELTA_LOG_MIN_ENTRIES + 1;
    const res = await hub.get(`${Paths.deltas(channel)}?since=${oldest - 1}&epoch=${epoch}`, TICKET);
    const body = (await res.json()) as DeltasResponse;
    expect(body.recovered).toBe(true);
    if (!body.recovered) return;
    expect(body.deltas).toHaveLength(MAX_DELTAS_PER_RESPONSE);
    expect(body.deltas[0]!.seq).toBe(oldest);

    const since = TOTAL - 2 * MAX_DELTAS_PER_RESPONSE - 500;
    const started = Date.now();
    const viewer = await SocketProbe.open(channel, { ticket: TICKET, since, epoch });
    await viewer.waitForSeq(TOTAL, 10_000);
    console.log(`retention: replayed ${TOTAL - since} deltas over a socket in ${Date.now() - started} ms`);
    expect(viewer.frames[0]).toMatchObject({ type: "hello", recovered: true, head: TOTAL });
    expect(viewer.deltas.map((d) => d.seq)).toStrictEqual(Array.from({ length: TOTAL - since }, (_, i) => since + 1 + i));
  });

  it("the REST fallback answers a snapshot for a cursor that fell out of the log", async () => {
    const oldest = TOTAL - DELTA_LOG_MIN_ENTRIES + 1;
    const res = await hub.get(`${Paths.deltas(channel)}?since=${oldest - 2}&epoch=${epoch}`, TICKET);
    expect(await res.json()).toStrictEqual({ recovered: false, reason: "too-old", snapshot: await snapshot(channel) });
  });

  it("a short log is never trimmed, however old", async () => {
    const small = uniqueChannel("retention-small");
    await send(small, ...Array.from({ length: 50 }, (_, i) => ev.taskUpsert({ id: i + 1 })));
    await runInDurableObject(channelObject(small), (_i, state) => {
      state.storage.sql.exec("UPDATE deltas SET at = ?", Date.now() - 7 * DELTA_LOG_MIN_AGE_MS);
    });
    expect(await runDurableObjectAlarm(channelObject(small))).toBe(true);
    expect((await metrics(small)).log).toMatchObject({ head: 50, oldest: 1 });
  });
});
