/**
 * A file that at most one process can create, and a stale one that at most
 * one process can replace: the mechanics under the bridge's lock.
 *
 * Creating is `open(path, "wx")`, which the kernel makes exclusive. Replacing
 * a stale file is the hard part: "read it, judge it stale, delete it, create
 * mine" lets a slow racer delete the file a faster racer has just created,
 * and both believe they won. So a replacement first creates a claim named
 * after the exact file it judged (device, inode, mtime, content). Only the
 * claim's creator may delete that file, and it checks under the claim that
 * the file is still the one it judged. A claimant that died mid-way leaves a
 * claim that is itself judged, and replaced, the same way.
 */
import { createHash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { fsyncFolder, removeFileDurably } from "./atomic-file.ts";

export interface ExistingFile {
  readonly body: string;
  readonly ageMs: number;
  /** Names this very file: another file at the same path later, even with the same content, has another key. */
  readonly key: string;
}

/** Claims of claims, for claimants that died: more than this many deaths in one takeover is not worth handling. */
const MAX_CLAIM_DEPTH = 3;

/** Creates `file` holding `body`, flushed, unless it exists. */
export async function createExclusive(file: string, body: string): Promise<boolean> {
  const handle = await openUnless(file, "wx", "EEXIST");
  if (!handle) return false;
  try {
    await handle.writeFile(body, "utf8");
    await handle.sync();
  } catch (error) {
    await handle.close();
    await removeFileDurably(file); // an empty file would look held until it is old enough to be judged stale
    throw error;
  }
  await handle.close();
  await fsyncFolder(dirname(file));
  return true;
}

/** Reads `file` with the identity of what was read, or null if there is no such file. */
export async function readExisting(file: string): Promise<ExistingFile | null> {
  const handle = await openUnless(file, "r", "ENOENT");
  if (!handle) return null;
  try {
    const info = await handle.stat();
    const body = await handle.readFile("utf8");
    const key = createHash("sha256").update(`${info.dev}:${info.ino}:${info.mtimeMs}:${body}`).digest("hex").slice(0, 16);
    return { body, ageMs: Date.now() - info.mtimeMs, key };
  } finally {
    await handle.close();
  }
}

/** Opens `file`, or answers null when the open fails with `expected`: there, failing is the answer, not an error. */
async function openUnless(file: string, flags: string, expected: string): Promise<FileHandle | null> {
  try {
    return await open(file, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === expected) return null;
    throw error;
  }
}

/**
 * Replaces `stale` (as read at `file`) with a new file holding `body`.
 * True if this call created the new file; false if another process got
 * there first or the file changed since it was judged.
 */
export async function replaceStale(file: string, stale: ExistingFile, body: string, isStale: (existing: ExistingFile) => boolean, depth = 0): Promise<boolean> {
  const claim = `${file}.takeover-${stale.key}`;
  if (!(await createExclusive(claim, body))) {
    if (depth >= MAX_CLAIM_DEPTH) return false;
    const claimant = await readExisting(claim);
    if (!claimant || !isStale(claimant)) return false;
    if (!(await replaceStale(claim, claimant, body, isStale, depth + 1))) return false;
  }
  try {
    const current = await readExisting(file);
    if (current?.key !== stale.key) return false;
    await removeFileDurably(file);
    return await createExclusive(file, body);
  } finally {
    await removeFileDurably(claim);
  }
}
