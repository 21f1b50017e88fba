/**
 * File changes that a crash or a power loss cannot leave half done. A
 * rename or a delete is durable only once the folder that holds the name is
 * flushed too: without it the file's bytes are on disk but the kernel may
 * still lose the new name, or bring back the deleted one.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

export const TEMP_SUFFIX = ".tmp";

/** Folders cannot be flushed everywhere: Windows refuses to open one (EISDIR) or to fsync it (EPERM), some file systems answer EINVAL. There, a rename is as durable as the platform makes it. */
const UNFLUSHABLE_FOLDER = new Set(["EISDIR", "EPERM", "EINVAL"]);

/** Flushes a folder's entries (the names created, renamed or deleted in it) to disk. */
export async function fsyncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, "r");
    await handle.sync();
  } catch (error) {
    if (!UNFLUSHABLE_FOLDER.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
  } finally {
    await handle?.close();
  }
}

/** Writes a temp file (flushed), renames it over `file`, then flushes the folder. */
export async function writeFileAtomic(file: string, body: string): Promise<void> {
  const temp = `${file}.${randomBytes(4).toString("hex")}${TEMP_SUFFIX}`;
  try {
    await writeFile(temp, body, { encoding: "utf8", flush: true });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncFolder(dirname(file));
}

/** Deletes a file (if it is there) and flushes its folder, so the file cannot come back after a power loss. */
export async function removeFileDurably(file: string): Promise<void> {
  await rm(file, { force: true });
  await fsyncFolder(dirname(file));
}

/** Renames a file, possibly into another folder on the same file system, and flushes the new folder, then the old. */
export async function renameDurably(from: string, to: string): Promise<void> {
  await rename(from, to);
  // New name first: a power loss in between leaves the file under both names, never under none.
  await fsyncFolder(dirname(to));
  if (dirname(to) !== dirname(from)) await fsyncFolder(dirname(from));
}

/** Creates a folder (and its missing parents) and flushes the parent of each folder it created. */
export async function makeFolderDurably(folder: string): Promise<void> {
  const first = await mkdir(folder, { recursive: true });
  if (first === undefined) return;
  const firstCreated = resolve(first);
  for (let created = resolve(folder); ; created = dirname(created)) {
    await fsyncFolder(dirname(created));
    if (created === firstCreated || dirname(created) === created) return;
  }
}
