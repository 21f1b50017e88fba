import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { HubEvent } from "../../../protocol/index.ts";
import { DiskDeadLetters, DiskOutbox, quarantineFolderOf } from "../../../bridge/src/outbox/disk-outbox.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "tml-outbox-"));
  dirs.push(d);
  return d;
}
const event = (n: number): HubEvent => ({ id: `e-${n}`, type: "task.removed", occurredAt: "2026-03-01T10:00:00.000Z", data: { tag: "master", taskId: String(n) } });
const events = (from: number, count: number) => Array.from({ length: count }, (_, i) => event(from + i));

describe("DiskOutbox", () => {
  it("keeps events across a reopen, in order, and forgets them only when removed", async () => {
    const dir = tempDir();
    const dead = new DiskDeadLetters(join(dir, "dead.jsonl"));
    const outbox = await DiskOutbox.open(join(dir, "outbox"), dead);
    await outbox.append(events(1, 3));
    await outbox.append(events(4, 2));
    const again = await DiskOutbox.open(join(dir, "outbox"), dead);
    expect(again.size).toBe(5);
    expect(again.peek(10, 1e6).map((e) => e.id)).toEqual(["e-1", "e-2", "e-3", "e-4", "e-5"]);
    await again.remove(new Set(["e-1", "e-2", "e-4"]));
    const third = await DiskOutbox.open(join(dir, "outbox"), dead);
    expect(third.peek(10, 1e6).map((e) => e.id)).toEqual(["e-3", "e-5"]);
  });

  it("skips an id already queued, keeping the first copy (and its occurredAt)", async () => {
    const dir = tempDir();
    const outbox = await DiskOutbox.open(dir, new DiskDeadLetters(join(dir, "dead.jsonl")));
    expect(await outbox.append([event(1)])).toBe(1);
    expect(await outbox.append([{ ...event(1), occurredAt: "2026-03-01T11:00:00.000Z" }, event(2), event(2)])).toBe(1);
    expect(outbox.peek(10, 1e6).map((e) => [e.id, e.occurredAt])).toEqual([
      ["e-1", "2026-03-01T10:00:00.000Z"],
      ["e-2", "2026-03-01T10:00:00.000Z"],
    ]);
  });

  it("splits a big append into segments of at most one batch and peeks within the limits", async () => {
    const dir = tempDir();
    const outbox = await DiskOutbox.open(join(dir, "outbox"), new DiskDeadLetters(join(dir, "dead.jsonl")));
    await outbox.append(events(0, 1200));
    expect(outbox.segmentCount).toBe(3);
    expect(outbox.peek(500, 1e9)).toHaveLength(500);
    const oneSize = Buffer.byteLength(JSON.stringify(event(0))) + 1;
    expect(outbox.peek(500, oneSize * 3 + 5)).toHaveLength(3);
    expect(outbox.peek(500, 1)).toHaveLength(1);
  });

  it("ignores an interrupted temp write and dead-letters a segment that is not JSON", async () => {
    const dir = tempDir();
    const box = join(dir, "outbox");
    const first = await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")));
    await first.append([event(1)]);
    writeFileSync(join(box, "000000000009.json.abcd.tmp"), "[{");
    writeFileSync(join(box, "000000000005.json"), "[{ not json");
    const reopened = await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")));
    expect(reopened.peek(10, 1e6).map((e) => e.id)).toEqual(["e-1"]);
    expect(readdirSync(box).sort()).toEqual(["000000000001.json"]);
    expect(readFileSync(join(dir, "dead.jsonl"), "utf8")).toMatch(/000000000005.json is not JSON/);
    await reopened.append([event(2)]);
    expect(readdirSync(box).sort()).toEqual(["000000000001.json", "000000000006.json"]);
  });

  it("quarantines a segment that is JSON but not an array: moved aside untouched, reported, never read again; the others still go in order", async () => {
    const dir = tempDir();
    const box = join(dir, "outbox");
    const first = await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")));
    await first.append([event(1)]);
    await first.append([event(2)]);
    await first.append([event(3)]);
    const bad = JSON.stringify({ id: "e-2", type: "task.removed" });
    writeFileSync(join(box, "000000000002.json"), bad);
    const warnings: string[] = [];
    const log = { warn: (m: string) => warnings.push(m) };
    const reopened = await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")), log);

    expect(reopened.peek(10, 1e6).map((e) => e.id)).toEqual(["e-1", "e-3"]);
    expect(readdirSync(box).sort()).toEqual(["000000000001.json", "000000000003.json"]);
    const aside = readdirSync(quarantineFolderOf(box));
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatch(/^000000000002\.json\.quarantined-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    expect(readFileSync(join(quarantineFolderOf(box), aside[0]!), "utf8")).toBe(bad);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("000000000002.json is JSON but not an array (object)");
    expect(warnings[0]).toContain(join(quarantineFolderOf(box), aside[0]!));
    expect(readFileSync(join(dir, "dead.jsonl"), "utf8")).toMatch(/000000000002.json is JSON but not an array.*quarantined as/);

    await reopened.remove(new Set(["e-1", "e-3"]));
    await reopened.append([event(4)]);
    const third = await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")), log);
    expect(warnings).toHaveLength(1);
    expect(third.peek(10, 1e6).map((e) => e.id)).toEqual(["e-4"]);
    expect(readdirSync(box)).toEqual(["000000000004.json"]);
  });

  it("keeps the bytes of a segment that is not JSON in the quarantine, and reports it once", async () => {
    const dir = tempDir();
    const box = join(dir, "outbox");
    await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")));
    writeFileSync(join(box, "000000000001.json"), "[{ not json");
    writeFileSync(join(box, "000000000002.json"), "null");
    const warnings: string[] = [];
    const log = { warn: (m: string) => warnings.push(m) };
    const outbox = await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")), log);
    expect(outbox.size).toBe(0);
    expect(warnings.map((w) => w.split(":")[0])).toEqual(["outbox segment 000000000001.json is not JSON", "outbox segment 000000000002.json is JSON but not an array (null)"]);
    const aside = readdirSync(quarantineFolderOf(box)).sort();
    expect(aside.map((name) => readFileSync(join(quarantineFolderOf(box), name), "utf8"))).toEqual(["[{ not json", "null"]);
    await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")), log);
    expect(warnings).toHaveLength(2);
  });

  it("dead-letters invalid events once: their segment is rewritten without them, or deleted when nothing valid is left", async () => {
    const dir = tempDir();
    const box = join(dir, "outbox");
    await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")));
    writeFileSync(join(box, "000000000001.json"), JSON.stringify([event(1), 42, { id: "x" }, event(2)]));
    writeFileSync(join(box, "000000000002.json"), JSON.stringify(["nope"]));
    writeFileSync(join(box, "000000000003.json"), "[]");
    const outbox = await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")));
    expect(outbox.peek(10, 1e6).map((e) => e.id)).toEqual(["e-1", "e-2"]);
    expect(readdirSync(box)).toEqual(["000000000001.json"]);
    expect(JSON.parse(readFileSync(join(box, "000000000001.json"), "utf8"))).toEqual([event(1), event(2)]);
    const deadLines = () => readFileSync(join(dir, "dead.jsonl"), "utf8").trim().split("\n");
    expect(deadLines()).toHaveLength(3);
    await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")));
    expect(deadLines()).toHaveLength(3);
    expect(existsSync(quarantineFolderOf(box))).toBe(false);
  });
});
