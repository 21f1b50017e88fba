/**
 * Three views of a channel must agree: the hub's snapshot, the snapshot
 * after the object restarts from storage, and a client that applied every
 * delta from seq 0 with the shared `applyChanges`.
 */
import { evictDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { applyChanges, emptyState, type ChannelState } from "../../../protocol/index.ts";
import { channelObject, hub, snapshot } from "./hub.ts";
import { SocketProbe } from "./socket-probe.ts";

/** Replays the whole log over a socket and folds it into a state the way a client does (JSON in, applyChanges). */
async function replayFromZero(channel: string, epoch: string, head: number): Promise<ChannelState> {
  const viewer = await SocketProbe.open(channel, { ticket: await hub.viewerTicket(), since: 0, epoch });
  await viewer.waitForSeq(head, 10_000);
  expect(viewer.frames[0]).toMatchObject({ type: "hello", recovered: true });
  const state = JSON.parse(JSON.stringify(emptyState())) as ChannelState;
  for (const delta of viewer.deltas) applyChanges(state, delta.changes);
  viewer.close();
  return state;
}

export async function expectThreeViewsAgree(channel: string): Promise<ChannelState> {
  const live = await snapshot(channel);
  await evictDurableObject(channelObject(channel));
  const restarted = await snapshot(channel);
  // toEqual, not toStrictEqual: the strict check compares `.constructor`, which is data here.
  expect(restarted).toEqual(live);
  expect(await replayFromZero(channel, live.epoch, live.seq)).toEqual(live.state);
  return live.state;
}
