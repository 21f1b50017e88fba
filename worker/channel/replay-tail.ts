/**
 * The newest committed deltas, kept in memory with their sizes, so that a
 * resume from a recent cursor (a reconnect storm after a restart or a blip:
 * many clients at the same few cursors) is answered without reading the log,
 * and the frames for one (after, head) are packed once for all of them.
 * It only ever answers for a range it holds completely; otherwise the caller
 * reads the log, as before.
 */
import { packDeltas, type PackedFrame } from "./delta-frames.ts";
import type { SizedDelta } from "./replay-budget.ts";

export class ReplayTail {
  readonly #maxDeltas: number;
  readonly #maxBytes: number;
  #deltas: SizedDelta[] = [];
  #bytes = 0;
  #packed: { readonly key: string; readonly frames: PackedFrame[] } | null = null;

  constructor(maxDeltas: number, maxBytes: number) {
    this.#maxDeltas = maxDeltas;
    this.#maxBytes = maxBytes;
  }

  /** Appends newly committed deltas (in seq order); a gap (deltas committed while it was not told) starts it over. */
  append(deltas: readonly SizedDelta[]): void {
    if (deltas.length === 0) return;
    const last = this.#deltas.at(-1);
    if (last !== undefined && deltas[0]!.delta.seq !== last.delta.seq + 1) this.clear();
    for (const d of deltas) {
      this.#deltas.push(d);
      this.#bytes += d.bytes;
    }
    let drop = 0;
    while (this.#deltas.length - drop > 1 && (this.#deltas.length - drop > this.#maxDeltas || this.#bytes > this.#maxBytes)) this.#bytes -= this.#deltas[drop++]!.bytes;
    if (drop > 0) this.#deltas = this.#deltas.slice(drop);
    this.#packed = null;
  }

  clear(): void {
    this.#deltas = [];
    this.#bytes = 0;
    this.#packed = null;
  }

  /** The deltas with seq in (after, head], or null unless it holds every one of them and head is its newest. */
  between(after: number, head: number): SizedDelta[] | null {
    const first = this.#deltas[0]?.delta.seq;
    const last = this.#deltas.at(-1)?.delta.seq;
    if (first === undefined || last !== head || after + 1 < first || after > head) return null;
    return this.#deltas.slice(after + 1 - first);
  }

  /** UTF-8 bytes of the deltas in (after, head], or null as for between(). */
  bytesBetween(after: number, head: number): number | null {
    const deltas = this.between(after, head);
    return deltas === null ? null : deltas.reduce((sum, d) => sum + d.bytes, 0);
  }

  /** The frames carrying (after, head] (packDeltas), packed once for every resume at the same cursor; null as for between(). */
  frames(epoch: string, after: number, head: number, maxFrameBytes: number): PackedFrame[] | null {
    const key = `${epoch}/${after}/${head}/${maxFrameBytes}`;
    if (this.#packed?.key === key) return this.#packed.frames;
    const deltas = this.between(after, head);
    if (deltas === null) return null;
    const frames = packDeltas(epoch, deltas, maxFrameBytes);
    this.#packed = { key, frames };
    return frames;
  }
}
