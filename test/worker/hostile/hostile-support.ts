/**
 * The shared checks of the hostile-input suite: a refused input stores nothing,
 * and the channel keeps serving. One file per area sits beside this one; add a
 * case as `await refusedWithoutTrace(target, () => …)`.
 */
import { expect } from "vitest";
import { Paths, type ChannelSummary } from "../../../protocol/index.ts";
import { ev } from "../../../dev/events.ts";
import { channelObjectExists, hub, metrics, send, snapshot, uniqueChannel } from "../support/hub.ts";
import { SocketProbe } from "../support/socket-probe.ts";

/** A channel with data and a live viewer on it, the target of the hostile cases. */
export interface Target {
  readonly channel: string;
  readonly viewer: SocketProbe;
}

export async function openTarget(topic: string): Promise<Target> {
  const channel = uniqueChannel(topic);
  await send(channel, ev.meta({ name: topic }), ev.agentStatus("a1", "busy"));
  const viewer = await SocketProbe.open(channel, { ticket: await hub.ticket([channel]) });
  await viewer.waitForFrames(2);
  return { channel, viewer };
}

/** What a refusal must leave as it was: state, head, epoch, and the accepted/duplicate/stale counters. */
async function footprint(channel: string) {
  // The snapshot first: it sends any update still held by conflation (COALESCE_MS), which moves the head.
  const snap = await snapshot(channel);
  const m = await metrics(channel);
  return { snapshot: snap, events: { accepted: m.events.accepted, duplicate: m.events.duplicate, stale: m.events.stale }, log: m.log };
}

/** Asserts that nothing the hostile input did shows on the channel. */
export async function expectNothingStored(channel: string, before: Awaited<ReturnType<typeof footprint>>): Promise<void> {
  expect(await footprint(channel)).toStrictEqual(before);
}

let served = 0;

/** A valid event is still accepted on the channel, and its viewer gets the delta (a status change: never held by conflation). */
export async function expectStillServing({ channel, viewer }: Target): Promise<void> {
  const { head } = await send(channel, ev.agentStatus("a1", "busy", { detail: `still serving ${++served}` }));
  await viewer.waitForSeq(head);
  expect(viewer.closed).toBeNull();
}

/** Runs one hostile case against the target: its own assertions, then nothing stored, then still serving. */
export async function refusedWithoutTrace(target: Target, hostile: () => Promise<void>): Promise<void> {
  const before = await footprint(target.channel);
  await hostile();
  await expectNothingStored(target.channel, before);
  await expectStillServing(target);
}

/** The channels the directory lists, read with an all-channels ticket. */
export async function listedChannels(): Promise<string[]> {
  const res = await hub.get(Paths.channels, await hub.ticket());
  expect(res.status).toBe(200);
  return ((await res.json()) as { channels: ChannelSummary[] }).channels.map((c) => c.channel);
}

/** A channel nobody created: after a refusal it has no directory entry and, when refused before authentication, no object. */
export async function expectNeverCreated(channel: string, { object = true } = {}): Promise<void> {
  expect(await listedChannels()).not.toContain(channel);
  if (object) expect(await channelObjectExists(channel)).toBe(false);
}
