/**
 * The client's copy of a channel: a snapshot, then deltas strictly in seq
 * order within its epoch. It never holds a state with a hole: a delta that
 * does not follow the applied seq, or does not fit the state, is refused and
 * the state stays at the last consistent seq until a snapshot arrives.
 */
import { ChangeConflictError, type ChannelState, type DeltaFrame } from "../../../../protocol/index.ts";
import { applyChangesCopyOnWrite } from "./copy-on-write.ts";

export interface StoredPosition {
  readonly epoch: string;
  readonly seq: number;
  readonly state: ChannelState;
}

/** Where to resume from: the last applied delta. */
export interface ResumeCursor {
  readonly epoch: string;
  readonly seq: number;
}

export type DeltaOutcome =
  /** Applied; state and seq moved forward. */
  | { readonly kind: "applied" }
  /** seq ≤ applied: already in the state. */
  | { readonly kind: "duplicate" }
  /** seq > applied + 1: deltas are missing; the state is still consistent at the applied seq. */
  | { readonly kind: "gap"; readonly expected: number }
  /** The changes do not fit the state: it diverged from the server's. */
  | { readonly kind: "conflict"; readonly reason: string }
  /** The delta belongs to another epoch (the channel was reset). */
  | { readonly kind: "epoch-mismatch" }
  /** No snapshot yet. */
  | { readonly kind: "no-base" };

/** Why a delta did not fit: it needs a snapshot or a resume, not just skipping. */
export type RefusedOutcome = Exclude<DeltaOutcome, { kind: "applied" } | { kind: "duplicate" }>;

/** What applyDeltas did: the deltas applied, and the first that did not fit. */
export interface DeltasOutcome {
  readonly applied: readonly DeltaFrame[];
  readonly stopped: { readonly delta: DeltaFrame; readonly outcome: RefusedOutcome } | null;
}

export class ChannelStore {
  #position: StoredPosition | null = null;
  #diverged = false;

  get state(): ChannelState | null {
    return this.#position?.state ?? null;
  }

  get epoch(): string | null {
    return this.#position?.epoch ?? null;
  }

  get seq(): number | null {
    return this.#position?.seq ?? null;
  }

  get position(): StoredPosition | null {
    return this.#position;
  }

  /** True after a conflict or an epoch change: only a snapshot can make the state trustworthy again. */
  get diverged(): boolean {
    return this.#diverged;
  }

  /** The resume cursor, or null when the server must send a snapshot (nothing yet, or diverged). */
  get cursor(): ResumeCursor | null {
    const p = this.#position;
    return p && !this.#diverged ? { epoch: p.epoch, seq: p.seq } : null;
  }

  /**
   * Takes a snapshot. Ignored (false) when it is older than the applied seq of
   * the same epoch and the state is consistent: a late snapshot (e.g. from a
   * poll that raced the WebSocket) must not move the state back.
   */
  applySnapshot(snapshot: StoredPosition): boolean {
    const p = this.#position;
    if (p && !this.#diverged && p.epoch === snapshot.epoch && snapshot.seq < p.seq) return false;
    this.#position = { epoch: snapshot.epoch, seq: snapshot.seq, state: snapshot.state };
    this.#diverged = false;
    return true;
  }

  /**
   * Applies deltas in order as far as they fit, duplicates skipped: returns
   * those applied and the first that did not fit, with why. The deltas that
   * fit are applied as one copy-on-write, so a container several of them
   * write to (a tag of 400 tasks) is copied once, not once per delta.
   */
  applyDeltas(deltas: readonly DeltaFrame[]): DeltasOutcome {
    const p = this.#position;
    if (!p) return { applied: [], stopped: deltas[0] ? { delta: deltas[0], outcome: { kind: "no-base" } } : null };
    const run: DeltaFrame[] = [];
    let seq = p.seq;
    for (const delta of deltas) {
      if (delta.epoch !== p.epoch) {
        this.#diverged = true;
        return this.#commit(p, run, { delta, outcome: { kind: "epoch-mismatch" } });
      }
      if (delta.seq <= seq) continue;
      if (delta.seq > seq + 1) return this.#commit(p, run, { delta, outcome: { kind: "gap", expected: seq + 1 } });
      run.push(delta);
      seq = delta.seq;
    }
    return this.#commit(p, run, null);
  }

  /** One delta: applyDeltas([delta]), told as one outcome. */
  applyDelta(delta: DeltaFrame): DeltaOutcome {
    const { applied, stopped } = this.applyDeltas([delta]);
    return applied.length > 0 ? { kind: "applied" } : (stopped?.outcome ?? { kind: "duplicate" });
  }

  /** Applies a run of deltas that follow each other from `p`, all or, after a conflict, those before the one that does not fit. */
  #commit(p: StoredPosition, run: readonly DeltaFrame[], stopped: DeltasOutcome["stopped"]): DeltasOutcome {
    const last = run.at(-1);
    if (!last) return { applied: run, stopped };
    try {
      this.#position = { epoch: p.epoch, seq: last.seq, state: applyChangesCopyOnWrite(p.state, run.flatMap((delta) => delta.changes)) };
      return { applied: run, stopped };
    } catch (error) {
      if (!(error instanceof ChangeConflictError)) throw error;
      if (run.length === 1) {
        this.#diverged = true;
        return { applied: [], stopped: { delta: last, outcome: { kind: "conflict", reason: error.message } } };
      }
    }
    // Rare (a diverged state): one delta at a time finds the one that does not fit, and keeps those before it.
    const applied: DeltaFrame[] = [];
    for (const delta of run) {
      const one = this.#commit(this.#position ?? p, [delta], null);
      if (one.stopped) return { applied, stopped: one.stopped };
      applied.push(delta);
    }
    return { applied, stopped };
  }
}
