/**
 * Byte bounds on what one request or one (re)connection reads from the log:
 * a WebSocket replay that would be larger than its bound becomes a snapshot,
 * and a REST page of deltas stops at its bound (the client asks again).
 */
import type { StoredDelta } from "./storage.ts";

const utf8 = new TextEncoder();

export function utf8Bytes(text: string): number {
  return utf8.encode(text).byteLength;
}

/** A delta with its UTF-8 size, measured once. */
export interface SizedDelta {
  readonly delta: StoredDelta;
  readonly bytes: number;
}

/**
 * Every delta after `after` up to `head`, read page by page, or null as soon as they add up to more
 * than `maxBytes`: the caller sends a snapshot instead. At most `maxBytes` plus one page is ever held.
 */
export function collectReplay(readPage: (after: number) => readonly StoredDelta[], after: number, head: number, maxBytes: number): SizedDelta[] | null {
  const out: SizedDelta[] = [];
  let total = 0;
  for (let cursor = after; cursor < head; ) {
    const page = readPage(cursor);
    if (page.length === 0) break;
    for (const delta of page) {
      if (delta.seq > head) return out;
      const bytes = utf8Bytes(delta.json);
      total += bytes;
      if (total > maxBytes) return null;
      out.push({ delta, bytes });
    }
    cursor = page[page.length - 1]!.seq;
  }
  return out;
}

/** The longest prefix of `deltas` within `maxBytes`, and never empty when `deltas` is not: a client always progresses. */
export function pageWithinBytes(deltas: readonly StoredDelta[], maxBytes: number): StoredDelta[] {
  let total = 0;
  let count = 0;
  for (const delta of deltas) {
    total += utf8Bytes(delta.json);
    if (total > maxBytes && count > 0) break;
    count++;
  }
  return deltas.slice(0, count);
}
