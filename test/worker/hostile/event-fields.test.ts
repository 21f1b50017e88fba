/**
 * Hostile event fields against the real Worker: deep and oversized metadata,
 * text over its byte limit, control characters and unsafe integers in ids.
 * Each is a 422 naming the field, stores nothing, and the channel keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_METADATA_BYTES, MAX_METADATA_DEPTH, MAX_SHORT_TEXT_BYTES } from "../../../protocol/index.ts";
import { ev, isoAt } from "../../../dev/events.ts";
import { expectError } from "../support/http-expect.ts";
import { hub, uniqueChannel } from "../support/hub.ts";
import { SocketProbe } from "../support/socket-probe.ts";
import { expectNeverCreated, openTarget, refusedWithoutTrace, type Target } from "./hostile-support.ts";

const TASK_ID_RULE = `task id must be an integer from 0 to ${Number.MAX_SAFE_INTEGER} or a string of 1-64 of A-Z a-z 0-9 . _ -`;
const NOT_PRINTABLE = "must be printable ASCII (0x20-0x7E), without control characters";

let target: Target;
beforeAll(async () => {
  target = await openTarget("hostile-fields");
});
afterAll(() => SocketProbe.closeAll());

/** Posts the body and expects one 422 issue at `path`. */
async function expectInvalidAt(channel: string, body: unknown, path: string, message: string): Promise<void> {
  await expectError(await hub.post(channel, body), 422, {
    code: "invalid_event",
    message: "the event does not match the schema",
    details: { issues: [{ index: 0, path, message }] },
  });
}

const upsertText = (task: string) => `{"id":"${crypto.randomUUID()}","type":"task.upsert","occurredAt":"${isoAt()}","data":{"task":${task}}}`;

describe("hostile event fields", () => {
  it("metadata 10,000 levels deep is a 422, not a 500, on a known and on an unknown channel", async () => {
    const deep = upsertText(`{"id":1,"metadata":{"a":${"[".repeat(10_000)}${"]".repeat(10_000)}}}`);
    const message = `must nest at most ${MAX_METADATA_DEPTH} objects or arrays deep`;
    await refusedWithoutTrace(target, () => expectInvalidAt(target.channel, deep, "data.task.metadata", message));
    const stranger = uniqueChannel("hostile-deep");
    await expectInvalidAt(stranger, deep, "data.task.metadata", message);
    // A refusal after a valid signature is counted on the channel's object, so only the directory is checked here.
    await expectNeverCreated(stranger, { object: false });
  });

  it(`metadata of ${MAX_METADATA_BYTES} bytes + 1 as JSON`, async () => {
    const padding = "a".repeat(MAX_METADATA_BYTES + 1 - '{"x":""}'.length);
    await refusedWithoutTrace(target, () =>
      expectInvalidAt(target.channel, ev.taskUpsert({ id: 1, metadata: { x: padding } }), "data.task.metadata", `must be at most ${MAX_METADATA_BYTES} bytes as JSON`),
    );
  });

  it("multi-byte text one byte over its limit, though under it in characters", async () => {
    const title = "€".repeat(Math.floor(MAX_SHORT_TEXT_BYTES / 3)) + "abc";
    await refusedWithoutTrace(target, () => expectInvalidAt(target.channel, ev.taskUpsert({ id: 1, title }), "data.task.title", `must be at most ${MAX_SHORT_TEXT_BYTES} bytes of UTF-8`));
    const detail = "😀".repeat(MAX_SHORT_TEXT_BYTES / 4) + "a";
    await refusedWithoutTrace(target, () => expectInvalidAt(target.channel, ev.agentStatus("a1", "busy", { detail }), "data.detail", `must be at most ${MAX_SHORT_TEXT_BYTES} bytes of UTF-8`));
  });

  it("control characters in the event id, agent id, task id, tag and source", async () => {
    await refusedWithoutTrace(target, () => expectInvalidAt(target.channel, { ...ev.meta({ name: "x" }), id: "evt\u001b[31m" }, "id", NOT_PRINTABLE));
    await refusedWithoutTrace(target, () => expectInvalidAt(target.channel, ev.heartbeat("a1\u0000"), "data.agentId", expect.stringContaining("agentId must be")));
    await refusedWithoutTrace(target, () => expectInvalidAt(target.channel, ev.taskUpsert({ id: "1\n" }), "data.task.id", TASK_ID_RULE));
    await refusedWithoutTrace(target, () => expectInvalidAt(target.channel, ev.taskRemoved(1, { tag: "t\r" }), "data.tag", expect.stringContaining("tag must be")));
    await refusedWithoutTrace(target, () => expectInvalidAt(target.channel, ev.health("h\u0007"), "data.source", expect.stringContaining("source must be")));
  });

  it("integer task ids beyond 2^53-1, which would collide with their neighbours", async () => {
    for (const id of ["9007199254740992", "9007199254740993", "1e300"]) {
      await refusedWithoutTrace(target, () => expectInvalidAt(target.channel, upsertText(`{"id":${id}}`), "data.task.id", TASK_ID_RULE));
    }
    await refusedWithoutTrace(target, () => expectInvalidAt(target.channel, ev.taskProgress(2 ** 53, 5), "data.taskId", TASK_ID_RULE));
  });
});
