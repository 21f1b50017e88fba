/**
 * The channel object takes its channel from its own name (ctx.id.name), so no
 * RPC passes the channel and nothing stores it: the runtime must give the name.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { ev } from "../../dev/events.ts";
import { channelObject, metrics, send, uniqueChannel } from "./support/hub.ts";

it("the object reached by idFromName knows its name, also after an eviction", async () => {
  const channel = uniqueChannel("own-name");
  expect(await runInDurableObject(channelObject(channel), (_instance, state) => state.id.name)).toBe(channel);
  await send(channel, ev.agentStatus("a1", "busy"));
  await evictDurableObject(channelObject(channel));
  expect((await metrics(channel)).channel).toBe(channel);
});
