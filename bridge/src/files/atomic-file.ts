/** Whole-file writes that a crash cannot leave half done: write a temp file (flushed), then rename over. */
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";

export const TEMP_SUFFIX = ".tmp";

export async function writeFileAtomic(file: string, body: string): Promise<void> {
  const temp = `${file}.${randomBytes(4).toString("hex")}${TEMP_SUFFIX}`;
  try {
    await writeFile(temp, body, { encoding: "utf8", flush: true });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
