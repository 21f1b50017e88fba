/**
 * Hostile frames on a viewer's socket: each bad frame gets an `error` frame,
 * the third closes with 4400, a flood closes with 4429; nothing is stored and
 * the channel keeps serving its other viewers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode, MAX_CLIENT_FRAME_BYTES, PING_FRAME_TEXT, type ServerFrame } from "../../../protocol/index.ts";
import { hub } from "../support/hub.ts";
import { SocketProbe } from "../support/socket-probe.ts";
import { openTarget, refusedWithoutTrace, type Target } from "./hostile-support.ts";

const BAD_FRAME = { type: "error", code: "bad_frame", message: `expected ${PING_FRAME_TEXT}, {"type":"resync"} or {"type":"auth","ticket":…}` };
const utf8 = new TextEncoder();

let target: Target;
beforeAll(async () => {
  target = await openTarget("hostile-frames");
});
afterAll(() => SocketProbe.closeAll());

async function attacker(): Promise<SocketProbe> {
  const socket = await SocketProbe.open(target.channel, { ticket: await hub.ticket([target.channel]) });
  await socket.waitForFrames(2);
  return socket;
}

const errorsOf = (frames: readonly ServerFrame[]) => frames.filter((f) => f.type === "error");

describe("hostile frames", () => {
  it.each([
    ["binary", () => utf8.encode(PING_FRAME_TEXT).buffer as ArrayBuffer],
    ["non-JSON", () => "{not json"],
    ["unknown type", () => '{"type":"subscribe","channel":"other"}'],
    ["JSON that is not an object", () => "[1,2,3]"],
    ["a known type with a prototype key", () => '{"__proto__":{"type":"resync"}}'],
    ["a huge text frame (512 KiB)", () => `{"type":"${"x".repeat(512 * 1024)}"}`],
    // Valid in shape (unknown keys are ignored), but over MAX_CLIENT_FRAME_BYTES: refused before it is parsed.
    ["a resync padded past 8 KiB", () => `{"type":"resync","pad":"${"x".repeat(MAX_CLIENT_FRAME_BYTES)}"}`],
  ])("%s: an error frame each, and the third closes with 4400", async (_, frame) => {
    await refusedWithoutTrace(target, async () => {
      const socket = await attacker();
      for (let i = 0; i < 3; i++) socket.send(frame());
      expect((await socket.waitForClose()).code).toBe(CloseCode.PROTOCOL_ERROR);
      expect(errorsOf(socket.frames)).toStrictEqual([BAD_FRAME, BAD_FRAME, BAD_FRAME]);
    });
  });

  it("a flood of valid frames closes with 4429 after the burst", async () => {
    await refusedWithoutTrace(target, async () => {
      const socket = await attacker();
      // Not the exact ping text, so the object (not the runtime's auto-response) answers each one.
      for (let i = 0; i < 80; i++) socket.send('{ "type": "ping" }');
      expect((await socket.waitForClose()).code).toBe(CloseCode.RATE_LIMITED);
      expect(errorsOf(socket.frames)).toStrictEqual([{ type: "error", code: "rate_limited", message: "too many frames; slow down and reconnect later" }]);
    });
  });
});
