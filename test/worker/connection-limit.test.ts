/**
 * MAX_CONNECTIONS_PER_CHANNEL (8 in the worker tests, see vitest.config.ts):
 * one more viewer is refused with 4429, retryable; a freed slot is reusable.
 */
import { afterEach, beforeAll, expect, it } from "vitest";
import { CloseCode, isRetryableClose } from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { hub, metrics, send, uniqueChannel } from "./support/hub.ts";
import { SocketProbe, settle } from "./support/socket-probe.ts";

const MAX_CONNECTIONS = 8;
/** A viewer's ticket for every channel. */
let TICKET = "";
beforeAll(async () => {
  TICKET = await hub.viewerTicket();
});

afterEach(() => SocketProbe.closeAll());

it("refuses the connection over the cap with rate_limited and 4429, and accepts again once a slot frees", async () => {
  const channel = uniqueChannel("cap");
  // Only a channel that exists keeps counters (the peak below).
  await send(channel, ev.meta({ name: "cap" }));
  const viewers: SocketProbe[] = [];
  for (let i = 0; i < MAX_CONNECTIONS; i++) viewers.push(await SocketProbe.open(channel, { ticket: TICKET }));
  for (const v of viewers) await v.waitForFrames(2);

  const refused = await SocketProbe.open(channel, { ticket: TICKET });
  const closed = await refused.waitForClose();
  expect(closed.code).toBe(CloseCode.RATE_LIMITED);
  expect(isRetryableClose(closed.code)).toBe(true);
  expect(refused.frames).toStrictEqual([{ type: "error", code: "rate_limited", message: "too many connections on this channel; retry later" }]);
  expect((await metrics(channel)).connections).toStrictEqual({ now: MAX_CONNECTIONS, peak: MAX_CONNECTIONS });

  viewers[0]!.close();
  await viewers[0]!.waitForClose();
  const again = await SocketProbe.open(channel, { ticket: TICKET });
  const [hello] = await again.waitForFrames(2);
  expect(hello).toMatchObject({ type: "hello", channel });
  await settle();
  expect(again.closed).toBeNull();
});

it("the cap is per channel", async () => {
  const full = uniqueChannel("cap-full");
  const other = uniqueChannel("cap-other");
  for (let i = 0; i < MAX_CONNECTIONS; i++) await (await SocketProbe.open(full, { ticket: TICKET })).waitForFrames(2);
  const elsewhere = await SocketProbe.open(other, { ticket: TICKET });
  expect((await elsewhere.waitForFrames(2))[0]).toMatchObject({ type: "hello", channel: other });
});
