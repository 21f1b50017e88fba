/** The hub under test, reached in-process through the Worker's own fetch handler. */
import { listDurableObjectIds } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { Paths, type ChannelMetrics, type HubEventInput, type SnapshotResponse, type WebhookAccepted } from "../../../protocol/index.ts";
import { channelStub } from "../../../worker/channel/channel-stub.ts";
import { HubClient } from "../../../dev/hub-client.ts";
import { TEST_SECRETS } from "../../../dev/secrets.ts";

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
  const res = await hub.get(Paths.metrics(channel), TEST_SECRETS.DASHBOARD_TOKEN);
  if (res.status !== 200) throw new Error(`metrics answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** True once the channel's Durable Object has been created (and so has storage). */
export async function channelObjectExists(channel: string): Promise<boolean> {
  const wanted = env.CHANNEL.idFromName(channel);
  return (await listDurableObjectIds(env.CHANNEL)).some((id) => id.equals(wanted));
}
