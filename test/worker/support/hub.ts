/** The hub under test, reached in-process through the Worker's own fetch handler. */
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { Paths, type ChannelMetrics, type ChannelSummary, type ChannelsResponse, type HubEventInput, type SnapshotResponse, type WebhookAccepted } from "../../../protocol/index.ts";
import { channelStub } from "../../../worker/channel/channel-stub.ts";
import { HubClient } from "../../../dev/hub-client.ts";

export const HUB_URL = "http://hub.test";

export function fetchHub(input: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(input, init));
}

export const hub = new HubClient(HUB_URL, fetchHub);

let channelCounter = 0;

/** Storage outlives a test: every test works on a channel nobody else uses. */
export function uniqueChannel(topic: string): string {
  return `${topic}-${Date.now().toString(36)}-${(++channelCounter).toString(36)}`;
}

/** The channel's Durable Object, for runInDurableObject and friends. */
export function channelObject(channel: string) {
  return channelStub(env, channel);
}

/** Sends events (one alone, several as a batch) and expects 202. */
export async function send(channel: string, ...events: HubEventInput[]): Promise<WebhookAccepted> {
  return hub.send(channel, events);
}

export function snapshot(channel: string): Promise<SnapshotResponse> {
  return hub.snapshot(channel);
}

export async function metrics(channel: string): Promise<ChannelMetrics> {
  const res = await hub.get(Paths.metrics(channel), await hub.viewerTicket());
  if (res.status !== 200) throw new Error(`metrics answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** True once the channel's Durable Object has been created (and so has storage). */
export async function channelObjectExists(channel: string): Promise<boolean> {
  const wanted = env.CHANNEL.idFromName(channel);
  return (await listDurableObjectIds(env.CHANNEL)).some((id) => id.equals(wanted));
}

/** What the channel's object holds in SQLite: its tables (the runtime's own `_cf_` ones aside) and the database size. */
export function channelStorage(channel: string): Promise<{ tables: string[]; databaseSize: number }> {
  return runInDurableObject(channelObject(channel), (_instance, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name <> 'sqlite_sequence'")
      .toArray()
      .map((r) => r.name),
    databaseSize: state.storage.sql.databaseSize,
  }));
}

/** Every channel the credential may list, following `nextCursor` page by page. */
export async function listChannels(ticket: string, limit = 500): Promise<ChannelSummary[]> {
  const all: ChannelSummary[] = [];
  let cursor: string | null = "";
  while (cursor !== null) {
    const res = await hub.get(`${Paths.channels}?limit=${limit}&cursor=${cursor}`, ticket);
    if (res.status !== 200) throw new Error(`channels answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as ChannelsResponse;
    all.push(...page.channels);
    cursor = page.nextCursor;
  }
  return all;
}
