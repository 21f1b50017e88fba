/**
 * MAX_CONNECTIONS_PER_CHANNEL (8 in the worker tests, see vitest.config.ts):
 * one more viewer is refused with 4429, retryable; a freed slot is reusable.
 */
import { afterEach, expect, it } from "vitest";
import { CloseCode, isRetryableClose } from "../../protocol/index.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { metrics, uniqueChannel } from "./support/hub.ts";
import { SocketProbe, settle } from "./support/socket-probe.ts";

const MAX_CONNECTIONS = 8;
const TOKEN = TEST_SECRETS.DASHBOARD_TOKEN;

afterEach(() => SocketProbe.closeAll());

it("refuses the connection over the cap with rate_limited and 4429, and accepts again once a slot frees", async () => {
  const channel = uniqueChannel("cap");
  const viewers: SocketProbe[] = [];
  for (let i = 0; i < MAX_CONNECTIONS; i++) viewers.push(await SocketProbe.open(channel, { ticket: TOKEN }));
  for (const v of viewers) await v.waitForFrames(2);

  const refused = await SocketProbe.open(channel, { ticket: TOKEN });
  const closed = await refused.waitForClose();
  expect(closed.code).toBe(CloseCode.RATE_LIMITED);
  expect(isRetryableClose(closed.code)).toBe(true);
  expect(refused.frames).toStrictEqual([{ type: "error", code: "rate_limited", message: "too many connections on this channel; retry later" }]);
  expect((await metrics(channel)).connections).toStrictEqual({ now: MAX_CONNECTIONS, peak: MAX_CONNECTIONS });

  viewers[0]!.close();
  await viewers[0]!.waitForClose();
  const again = await SocketProbe.open(channel, { ticket: TOKEN });
  const [hello] = await again.waitForFrames(2);
  expect(hello).toMatchObject({ type: "hello", channel });
  await settle();
  expect(again.closed).toBeNull();
});

it("the cap is per channel", async () => {
  const full = uniqueChannel("cap-full");
  const other = uniqueChannel("cap-other");
  for (let i = 0; i < MAX_CONNECTIONS; i++) await (await SocketProbe.open(full, { ticket: TOKEN })).waitForFrames(2);
  const elsewhere = await SocketProbe.open(other, { ticket: TOKEN });
  expect((await elsewhere.waitForFrames(2))[0]).toMatchObject({ type: "hello", channel: other });
});
