/**
 * When the object cannot replay (a storage failure), the socket is closed
 * with 1012 "restarting": a code clients retry, resuming from what they applied.
 */
import { runInDurableObject } from "cloudflare:test";
import { afterEach, expect, it } from "vitest";
import { CloseCode } from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { channelObject, hub, send, uniqueChannel } from "./support/hub.ts";
import { SocketProbe } from "./support/socket-probe.ts";

afterEach(() => SocketProbe.closeAll());

it("closes with 1012 and an internal error frame when the log cannot be read", async () => {
  const channel = uniqueChannel("resume-failure");
  const { head } = await send(channel, ev.meta({ name: "x" }), ev.meta({ name: "y" }));
  const first = await SocketProbe.open(channel, { ticket: await hub.ticket([channel]) });
  const [hello] = await first.waitForFrames(2);
  const epoch = hello?.type === "hello" ? hello.epoch : "";
  first.close();

  // Simulate a broken log: the table the replay reads is gone.
  await runInDurableObject(channelObject(channel), (_instance, state) => {
    state.storage.sql.exec("DROP TABLE deltas");
  });
  const probe = await SocketProbe.open(channel, { ticket: await hub.ticket([channel]), since: head - 1, epoch });
  expect(await probe.waitForClose()).toStrictEqual({ code: CloseCode.RESTARTING, reason: "restarting" });
  expect(probe.frames).toStrictEqual([{ type: "error", code: "internal", message: "the hub could not replay the log; reconnect" }]);
});
