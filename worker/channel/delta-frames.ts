/**
 * Packs stored deltas into frames: one delta alone is its own `delta` frame
 * (sent as stored); several become `deltas` frames of at most a byte bound,
 * built by joining the stored JSON, never by re-serialising it.
 */
import type { SizedDelta } from "./replay-budget.ts";

/** A frame's text and its UTF-8 size. */
export interface PackedFrame {
  readonly text: string;
  readonly bytes: number;
}

const utf8 = new TextEncoder();

/** The deltas (in seq order, one epoch) as frames of at most `maxBytes`, unless one delta alone is larger. */
export function packDeltas(epoch: string, deltas: readonly SizedDelta[], maxBytes: number): PackedFrame[] {
  const head = `{"type":"deltas","epoch":${JSON.stringify(epoch)},"deltas":[`;
  const overhead = utf8.encode(head).byteLength + "]}".length;
  const frames: PackedFrame[] = [];
  let group: SizedDelta[] = [];
  let groupBytes = overhead;
  const flush = () => {
    if (group.length === 1) frames.push({ text: group[0]!.delta.json, bytes: group[0]!.bytes });
    else if (group.length > 1) frames.push({ text: `${head}${group.map((d) => d.delta.json).join(",")}]}`, bytes: groupBytes });
    group = [];
    groupBytes = overhead;
  };
  for (const sized of deltas) {
    const added = sized.bytes + (group.length > 0 ? 1 : 0);
    if (group.length > 0 && groupBytes + added > maxBytes) flush();
    groupBytes += sized.bytes + (group.length > 0 ? 1 : 0);
    group.push(sized);
  }
  flush();
  return frames;
}
