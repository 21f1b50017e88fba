/** Limits in UTF-8 bytes, bounded metadata, safe integer ids, printable ids, and the largest valid event against the body limit. */
import { describe, expect, it } from "vitest";
import {
  MAX_EVENT_BYTES,
  MAX_METADATA_BYTES,
  MAX_METADATA_DEPTH,
  MAX_SHORT_TEXT_BYTES,
  MAX_WEBHOOK_BODY_BYTES,
  parseWebhookBody,
} from "../../../protocol/index.ts";
import { jsonByteLength, nestsDeeperThan, utf8ByteLength } from "../../../protocol/json-bounds.ts";
import { eventOfBytes } from "../../../dev/sized-event.ts";

const utf8 = new TextEncoder();
const at = "2026-11-01T10:00:00Z";
const upsert = (task: Record<string, unknown>, id = "e1") => ({ id, type: "task.upsert", occurredAt: at, data: { task: { id: 1, ...task } } });

function issuesOf(body: unknown): { path: string; message: string }[] {
  const r = parseWebhookBody(body);
  return r.ok ? [] : r.issues.map(({ path, message }) => ({ path, message }));
}

/** Metadata nested `levels` objects deep, the metadata itself included. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe("text limits count UTF-8 bytes", () => {
  it("accepts a title of exactly the limit in 2-, 3- and 4-byte characters, refuses one byte more", () => {
    for (const char of ["é", "€", "😀"]) {
      const bytes = utf8.encode(char).length;
      const fits = char.repeat(Math.floor(MAX_SHORT_TEXT_BYTES / bytes)) + "a".repeat(MAX_SHORT_TEXT_BYTES % bytes);
      expect(utf8.encode(fits).length).toBe(MAX_SHORT_TEXT_BYTES);
      expect(issuesOf(upsert({ title: fits }))).toEqual([]);
      expect(issuesOf(upsert({ title: fits + "a" }))).toEqual([{ path: "data.task.title", message: `must be at most ${MAX_SHORT_TEXT_BYTES} bytes of UTF-8` }]);
    }
  });

  it("counts a lone surrogate as the 3 bytes TextEncoder writes for it", () => {
    for (const text of ["\ud800", "a\udc00b", "😀", "\ud83d\ude00\ud83d", "", "plain"]) expect(utf8ByteLength(text)).toBe(utf8.encode(text).length);
  });
});

describe("metadata", () => {
  it(`nests at most ${MAX_METADATA_DEPTH} levels; 10,000 levels are refused without a RangeError`, () => {
    expect(nestsDeeperThan(nested(MAX_METADATA_DEPTH), MAX_METADATA_DEPTH)).toBe(false);
    expect(issuesOf(upsert({ metadata: nested(MAX_METADATA_DEPTH) }))).toEqual([]);
    const tooDeep = { path: "data.task.metadata", message: `must nest at most ${MAX_METADATA_DEPTH} objects or arrays deep` };
    expect(issuesOf(upsert({ metadata: nested(MAX_METADATA_DEPTH + 1) }))).toEqual([tooDeep]);
    const deepText = `{"id":"e1","type":"task.upsert","occurredAt":"${at}","data":{"task":{"id":1,"metadata":{"a":${"[".repeat(10_000)}${"]".repeat(10_000)}}}}}`;
    expect(issuesOf(JSON.parse(deepText))).toEqual([tooDeep]);
  });

  it(`is at most ${MAX_METADATA_BYTES} bytes as JSON`, () => {
    const padding = (bytes: number) => ({ x: "a".repeat(bytes - jsonByteLength({ x: "" })) });
    expect(jsonByteLength(padding(MAX_METADATA_BYTES))).toBe(MAX_METADATA_BYTES);
    expect(issuesOf(upsert({ metadata: padding(MAX_METADATA_BYTES) }))).toEqual([]);
    expect(issuesOf(upsert({ metadata: padding(MAX_METADATA_BYTES + 1) }))).toEqual([{ path: "data.task.metadata", message: `must be at most ${MAX_METADATA_BYTES} bytes as JSON` }]);
  });

  it("keeps prototype-named keys as plain data and refuses arrays", () => {
    const body = JSON.parse(`{"id":"e1","type":"task.upsert","occurredAt":"${at}","data":{"task":{"id":1,"metadata":{"__proto__":{"polluted":true},"constructor":1}}}}`);
    const r = parseWebhookBody(body);
    expect(r.ok).toBe(true);
    if (!r.ok || r.events[0]!.type !== "task.upsert") return;
    const metadata = r.events[0]!.data.task.metadata!;
    expect(Object.keys(metadata)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(issuesOf(upsert({ metadata: [1] }))).toEqual([{ path: "data.task.metadata", message: "must be an object" }]);
  });
});

describe("ids", () => {
  const rule = `task id must be an integer from 0 to ${Number.MAX_SAFE_INTEGER} or a string of 1-64 of A-Z a-z 0-9 . _ -`;

  it("takes integer task ids up to 2^53-1 only, so no two ids are the same number", () => {
    expect(issuesOf(upsert({ id: Number.MAX_SAFE_INTEGER }))).toEqual([]);
    for (const id of [2 ** 53, 1e300, -1, 1.5]) expect(issuesOf(upsert({ id })), String(id)).toEqual([{ path: "data.task.id", message: rule }]);
    expect(issuesOf(upsert({ dependencies: [2 ** 53] }))).toEqual([{ path: "data.task.dependencies.0", message: rule }]);
  });

  it("takes event ids of printable ASCII only", () => {
    const message = "must be printable ASCII (0x20-0x7E), without control characters";
    for (const id of ["a\u0000b", "tab\there", "line\n", "del\u007f", "é", "\u202eevil"]) expect(issuesOf(upsert({}, id)), JSON.stringify(id)).toEqual([{ path: "id", message }]);
    expect(issuesOf(upsert({}, " ~!printable ASCII~ "))).toEqual([]);
  });

  it("refuses control characters in every other id (agent, task, tag, source)", () => {
    const agent = { id: "e", type: "agent.status", occurredAt: at, data: { agentId: "a\u0007", status: "busy" } };
    const health = { id: "e", type: "health.sample", occurredAt: at, data: { source: "h\u0000" } };
    const tagged = { id: "e", type: "task.removed", occurredAt: at, data: { tag: "t\n", taskId: "x\r" } };
    expect(issuesOf(agent).map((i) => i.path)).toEqual(["data.agentId"]);
    expect(issuesOf(health).map((i) => i.path)).toEqual(["data.source"]);
    expect(issuesOf(tagged).map((i) => i.path)).toEqual(["data.tag", "data.taskId"]);
  });
});

describe("the largest valid event fits in one body", () => {
  const batchOverhead = utf8.encode('{"events":[]}').length;

  const eventOf = (bytes: number) => eventOfBytes(bytes, { id: "e1", occurredAt: at });

  it("MAX_EVENT_BYTES plus the batch wrapper is the body limit", () => {
    expect(MAX_EVENT_BYTES + batchOverhead).toBe(MAX_WEBHOOK_BODY_BYTES);
  });

  it("an event of exactly MAX_EVENT_BYTES is valid and, as a batch of one, exactly MAX_WEBHOOK_BODY_BYTES", () => {
    const event = eventOf(MAX_EVENT_BYTES);
    expect(jsonByteLength(event)).toBe(MAX_EVENT_BYTES);
    expect(issuesOf(event)).toEqual([]);
    expect(utf8.encode(JSON.stringify({ events: [event] })).length).toBe(MAX_WEBHOOK_BODY_BYTES);
  });

  it("one byte more is refused, naming the event, though every field is within its own limit", () => {
    expect(issuesOf(eventOf(MAX_EVENT_BYTES + 1))).toEqual([{ path: "", message: `the event must be at most ${MAX_EVENT_BYTES} bytes as JSON, so that it fits in one body` }]);
  });
});
