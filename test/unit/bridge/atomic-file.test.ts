import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { HubEvent } from "../../../protocol/index.ts";
import { fsyncFolder, makeFolderDurably, removeFileDurably, renameDurably, writeFileAtomic } from "../../../bridge/src/files/atomic-file.ts";
import { DiskDeadLetters, DiskOutbox } from "../../../bridge/src/outbox/disk-outbox.ts";

/** Every folder flush, with what the folder held at that moment; and a way to make opening a folder fail as some platforms do. */
const flushes = vi.hoisted(() => ({ log: [] as { folder: string; names: string[] }[], refuseWith: null as string | null }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  const { readdirSync, statSync } = await import("node:fs");
  const open: typeof real.open = async (path, flags, mode) => {
    const isFolder = flags === "r" && statSync(path).isDirectory();
    if (isFolder && flushes.refuseWith) throw Object.assign(new Error(flushes.refuseWith), { code: flushes.refuseWith });
    const handle = await real.open(path, flags, mode);
    if (isFolder) {
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        flushes.log.push({ folder: String(path), names: readdirSync(path).sort() });
        return sync();
      };
    }
    return handle;
  };
  return { ...real, open, default: { ...real, open } };
});

const dirs: string[] = [];
afterEach(() => {
  flushes.log.length = 0;
  flushes.refuseWith = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "tml-atomic-"));
  dirs.push(d);
  return d;
}
const quiet = { warn() {} };
const event = (n: number): HubEvent => ({ id: `e-${n}`, type: "task.removed", occurredAt: "2026-03-01T10:00:00.000Z", data: { tag: "master", taskId: String(n) } });

describe("durable file changes", () => {
  it("flushes the folder after the rename of an atomic write, when the new name is there and the temp file gone", async () => {
    const dir = tempDir();
    await writeFileAtomic(join(dir, "a.json"), "[1]");
    expect(readFileSync(join(dir, "a.json"), "utf8")).toBe("[1]");
    expect(flushes.log).toEqual([{ folder: dir, names: ["a.json"] }]);
  });

  it("flushes the folder after a delete, when the name is gone", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.json"), "[]");
    writeFileSync(join(dir, "b.json"), "[]");
    await removeFileDurably(join(dir, "a.json"));
    expect(flushes.log).toEqual([{ folder: dir, names: ["b.json"] }]);
  });

  it("flushes the new folder, then the old one, after a rename between folders", async () => {
    const dir = tempDir();
    await makeFolderDurably(join(dir, "from"));
    await makeFolderDurably(join(dir, "to"));
    flushes.log.length = 0;
    writeFileSync(join(dir, "from", "x"), "x");
    await renameDurably(join(dir, "from", "x"), join(dir, "to", "y"));
    expect(flushes.log).toEqual([
      { folder: join(dir, "to"), names: ["y"] },
      { folder: join(dir, "from"), names: [] },
    ]);
  });

  it("flushes the parent of every folder it creates, and nothing when the folder exists", async () => {
    const dir = tempDir();
    await makeFolderDurably(join(dir, "a", "b"));
    expect(flushes.log).toEqual([
      { folder: join(dir, "a"), names: ["b"] },
      { folder: dir, names: ["a"] },
    ]);
    flushes.log.length = 0;
    await makeFolderDurably(join(dir, "a", "b"));
    expect(flushes.log).toEqual([]);
  });

  it("carries on where the platform cannot open or flush a folder, and fails on anything else", async () => {
    const dir = tempDir();
    for (const code of ["EISDIR", "EPERM", "EINVAL"]) {
      flushes.refuseWith = code;
      await expect(fsyncFolder(dir)).resolves.toBeUndefined();
    }
    flushes.refuseWith = "EIO";
    await expect(fsyncFolder(dir)).rejects.toThrow("EIO");
  });
});

describe("DiskOutbox on disk", () => {
  it("flushes the outbox folder after writing a segment and after deleting an acknowledged one", async () => {
    const dir = tempDir();
    const box = join(dir, "outbox");
    const outbox = await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")), quiet);
    flushes.log.length = 0;
    await outbox.append([event(1)]);
    await outbox.append([event(2)]);
    expect(flushes.log.filter((f) => f.folder === box).map((f) => f.names)).toEqual([["000000000001.json"], ["000000000001.json", "000000000002.json"]]);
    flushes.log.length = 0;
    await outbox.remove(new Set(["e-1"]));
    expect(flushes.log).toEqual([{ folder: box, names: ["000000000002.json"] }]);
    expect(existsSync(join(box, "000000000001.json"))).toBe(false);
  });

  it("flushes the folder after removing an interrupted temp write, and the dead-letter file's folder after a line", async () => {
    const dir = tempDir();
    const box = join(dir, "outbox");
    await makeFolderDurably(box);
    writeFileSync(join(box, "000000000003.json.abcd.tmp"), "[{");
    writeFileSync(join(box, "000000000004.json"), JSON.stringify([{ id: "no type" }]));
    flushes.log.length = 0;
    await DiskOutbox.open(box, new DiskDeadLetters(join(dir, "dead.jsonl")), quiet);
    expect(flushes.log).toContainEqual({ folder: box, names: ["000000000004.json"] });
    expect(flushes.log).toContainEqual({ folder: dir, names: ["dead.jsonl", "outbox"] });
    expect(readdirSync(box)).toEqual([]);
  });
});
