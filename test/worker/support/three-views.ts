/**
 * Three views of a channel must agree: the hub's snapshot, the snapshot
 * after the object restarts from storage, and every delta of the log from
 * seq 0 applied with the shared `applyChanges`.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { applyChanges, deltasOf, emptyState, parseServerFrame, type ChannelState } from "../../../protocol/index.ts";
import { channelObject, snapshot } from "./hub.ts";

/**
 * Folds the whole retained log into a state the way a client does (JSON in, applyChanges). Read from storage:
 * a socket resuming from zero is answered with the cheaper snapshot (replay-planner.ts planByCost).
 */
async function replayFromZero(channel: string, head: number): Promise<ChannelState> {
  const frames = await runInDurableObject(channelObject(channel), (_instance, state) =>
    state.storage.sql.exec<{ frame: string }>("SELECT frame FROM deltas ORDER BY seq").toArray().map((row) => row.frame),
  );
  const deltas = frames.map((frame) => parseServerFrame(frame)).flatMap((frame) => (frame ? deltasOf(frame) : []));
  expect(deltas.map((d) => d.seq)).toStrictEqual(Array.from({ length: head }, (_, i) => i + 1));
  const state = JSON.parse(JSON.stringify(emptyState())) as ChannelState;
  for (const delta of deltas) applyChanges(state, delta.changes);
  return state;
}

export async function expectThreeViewsAgree(channel: string): Promise<ChannelState> {
  const live = await snapshot(channel);
  await evictDurableObject(channelObject(channel));
  const restarted = await snapshot(channel);
  // toEqual, not toStrictEqual: the strict check compares `.constructor`, which is data here.
  expect(restarted).toEqual(live);
  expect(await replayFromZero(channel, live.seq)).toEqual(live.state);
  return live.state;
}
