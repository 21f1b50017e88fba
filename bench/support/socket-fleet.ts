/**
 * Many raw viewer sockets that check the hub's promise on every frame:
 * each socket sees each seq of its channel exactly once, in order, within
 * one epoch, and a resume with (since, epoch) is answered with
 * hello{recovered:true} followed by the missed deltas, never a snapshot.
 *
 * Completion is tracked per seq in O(1) per frame: `#reached[seq]` counts the
 * sockets that have applied seq, and the moment it reaches the fleet size is
 * the moment EVERY socket has it.
 */
import { Paths, deltasOf, type DeltaFrame, type ServerFrame } from "../../protocol/index.ts";
import { withTimeout } from "../../dev/deadline.ts";

const KEPT_VIOLATIONS = 50;

interface Viewer {
  readonly index: number;
  readonly channel: string;
  ws: WebSocket | null;
  epoch: string | null;
  /** The last seq applied; -1 until the first snapshot. */
  lastSeq: number;
  /** This connection resumes with since/epoch, so it must be recovered. */
  resuming: boolean;
  recoveredHellos: number;
  /** We close it on purpose: a close is not a violation. */
  closing: boolean;
  ready: (() => void) | null;
  fail: ((error: Error) => void) | null;
}

export interface OpenOptions {
  readonly waveSize: number;
  /** A ticket for the next wave (one POST /api/auth/ticket per wave). */
  readonly ticket: () => Promise<string>;
  /** Resume every socket from what it applied (the reconnect storm). */
  readonly resume: boolean;
  readonly waveTimeoutMs: number;
  /** Called as each wave starts; must not block (the storm fires webhooks from here). */
  readonly onWave?: (wave: number, waves: number) => void;
  /** Start a wave every `paceMs` without waiting for the previous one (a connect rate); by default each wave waits for the last. */
  readonly paceMs?: number;
}

export interface OpenResult {
  readonly ms: number;
  readonly waveMs: number[];
  /** Per socket: from creating it to holding its snapshot (first open) or its hello (resume). */
  readonly handshakeMs: number[];
}

export class SocketFleet {
  readonly #viewers: Viewer[];
  readonly violations: string[] = [];
  violationCount = 0;
  framesIn = 0;
  readonly #reached: number[] = [];
  readonly #doneAt = new Map<number, number>();
  readonly #waiters = new Map<number, (() => void)[]>();

  constructor(
    readonly wsBase: string,
    readonly channels: readonly string[],
    size: number,
  ) {
    this.#viewers = Array.from({ length: size }, (_, index) => ({
      index,
      channel: channels[index % channels.length]!,
      ws: null,
      epoch: null,
      lastSeq: -1,
      resuming: false,
      recoveredHellos: 0,
      closing: false,
      ready: null,
      fail: null,
    }));
  }

  get size(): number {
    return this.#viewers.length;
  }

  /** Sockets that resumed with hello{recovered:true} at least `times` times. */
  recoveredAtLeast(times: number): number {
    return this.#viewers.filter((v) => v.recoveredHellos >= times).length;
  }

  /** Sockets whose last applied seq is not `seq`. */
  notAt(seq: number): number {
    return this.#viewers.filter((v) => v.lastSeq !== seq).length;
  }

  /** Opens (or resumes) every socket in waves; resolves when each has its snapshot (first open) or hello (resume). */
  async openAll(options: OpenOptions): Promise<OpenResult> {
    const t0 = performance.now();
    const waveMs: number[] = [];
    const handshakeMs: number[] = [];
    const waves = Math.ceil(this.size / options.waveSize);
    const runWave = async (wave: number): Promise<void> => {
      const members = this.#viewers.slice(wave * options.waveSize, (wave + 1) * options.waveSize);
      const tw = performance.now();
      const ticket = await options.ticket();
      options.onWave?.(wave, waves);
      const results = await withTimeout(
        Promise.allSettled(members.map((v) => this.#open(v, ticket, options.resume))),
        options.waveTimeoutMs,
        `wave ${wave + 1}/${waves} did not open`,
      );
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed.length > 0) {
        throw new Error(`${failed.length} of ${members.length} sockets in wave ${wave + 1}/${waves} failed; first error: ${describe(failed[0]!.reason)}`);
      }
      for (const r of results) if (r.status === "fulfilled") handshakeMs.push(r.value);
      waveMs.push(performance.now() - tw);
    };
    if (options.paceMs === undefined) {
      for (let wave = 0; wave < waves; wave++) await runWave(wave);
    } else {
      const started: Promise<void>[] = [];
      for (let wave = 0; wave < waves; wave++) {
        started.push(runWave(wave));
        if (wave < waves - 1) await new Promise((r) => setTimeout(r, options.paceMs));
      }
      await Promise.all(started);
    }
    return { ms: performance.now() - t0, waveMs, handshakeMs };
  }

  /** Resolves with the ms from creating the socket to holding its snapshot (first open) or hello (resume). */
  #open(v: Viewer, ticket: string, resume: boolean): Promise<number> {
    const t0 = performance.now();
    return new Promise<void>((resolve, reject) => {
      const query = new URLSearchParams({ ticket });
      if (resume) {
        query.set("since", String(v.lastSeq));
        query.set("epoch", v.epoch ?? "");
      }
      v.resuming = resume;
      v.closing = false;
      v.ready = resolve;
      v.fail = reject;
      const ws = new WebSocket(`${this.wsBase}${Paths.socket(v.channel)}?${query}`);
      v.ws = ws;
      ws.onmessage = (m) => this.#onFrame(v, String(m.data));
      ws.onerror = (e) => this.#settle(v, new Error(`socket ${v.index}: ${describe(e)}`));
      ws.onclose = (e) => {
        if (!v.closing) this.#violate(v, `closed by the hub: ${e.code} ${e.reason}`);
        this.#settle(v, new Error(`socket ${v.index} closed before it was ready: ${e.code} ${e.reason}`));
      };
    }).then(() => performance.now() - t0);
  }

  #settle(v: Viewer, error?: Error): void {
    const [ready, fail] = [v.ready, v.fail];
    v.ready = v.fail = null;
    if (error) fail?.(error);
    else ready?.();
  }

  #onFrame(v: Viewer, text: string): void {
    this.framesIn++;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      this.#violate(v, `not JSON: ${text.slice(0, 80)}`);
      return;
    }
    switch (frame.type) {
      case "hello":
        if (v.resuming) {
          if (!frame.recovered) this.#violate(v, `resume since=${v.lastSeq} answered hello{recovered:false}`);
          else if (frame.epoch !== v.epoch) this.#violate(v, `resume answered epoch ${frame.epoch}, had ${v.epoch}`);
          else v.recoveredHellos++;
          this.#settle(v);
        } else {
          v.epoch = frame.epoch;
        }
        return;
      case "snapshot":
        if (v.resuming) {
          this.#violate(v, `resume since=${v.lastSeq} answered with a snapshot at ${frame.seq}`);
          return;
        }
        v.epoch = frame.epoch;
        this.#advance(v, frame.seq);
        this.#settle(v);
        return;
      case "delta":
      case "deltas":
        for (const delta of deltasOf(frame)) this.#delta(v, delta);
        return;
      case "error":
        this.#violate(v, `error frame ${frame.code}: ${frame.message}`);
        return;
      default:
        return; // pong, auth-ok
    }
  }

  #delta(v: Viewer, delta: DeltaFrame): void {
    if (v.lastSeq < 0) this.#violate(v, `delta ${delta.seq} before any snapshot`);
    else if (delta.epoch !== v.epoch) this.#violate(v, `delta ${delta.seq} in epoch ${delta.epoch}, expected ${v.epoch}`);
    else if (delta.seq <= v.lastSeq) this.#violate(v, `duplicate or reordered delta ${delta.seq} after ${v.lastSeq}`);
    else {
      if (delta.seq !== v.lastSeq + 1) this.#violate(v, `gap: delta ${delta.seq} after ${v.lastSeq}`);
      this.#advance(v, delta.seq);
    }
  }

  #advance(v: Viewer, seq: number): void {
    const now = performance.now();
    for (let s = Math.max(v.lastSeq, 0) + 1; s <= seq; s++) {
      const count = (this.#reached[s] ?? 0) + 1;
      this.#reached[s] = count;
      if (count === this.size) {
        this.#doneAt.set(s, now);
        for (const wake of this.#waiters.get(s) ?? []) wake();
        this.#waiters.delete(s);
      }
    }
    v.lastSeq = Math.max(v.lastSeq, seq);
  }

  #violate(v: Viewer, message: string): void {
    this.violationCount++;
    if (this.violations.length < KEPT_VIOLATIONS) this.violations.push(`socket ${v.index} (${v.channel}): ${message}`);
  }

  /** performance.now() at which every socket had applied `seq`. */
  waitAll(seq: number, timeoutMs: number): Promise<number> {
    const done = this.#doneAt.get(seq);
    if (done !== undefined) return Promise.resolve(done);
    const reached = new Promise<number>((resolve) => {
      const list = this.#waiters.get(seq) ?? [];
      list.push(() => resolve(this.#doneAt.get(seq)!));
      this.#waiters.set(seq, list);
    });
    return withTimeout(reached, timeoutMs, `seq ${seq} did not reach every socket`).catch((error: Error) => {
      throw new Error(`${error.message} (${this.#reached[seq] ?? 0} of ${this.size} have it)`);
    });
  }

  /** Closes every socket cleanly (1000) and waits for each close handshake. */
  async closeAll(timeoutMs: number): Promise<number> {
    const t0 = performance.now();
    const closed = this.#viewers.map(
      (v) =>
        new Promise<void>((resolve) => {
          const ws = v.ws;
          v.closing = true;
          if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
          ws.addEventListener("close", () => resolve(), { once: true });
          ws.close(1000, "bench reconnect");
        }),
    );
    await withTimeout(Promise.all(closed), timeoutMs, "sockets did not finish closing");
    return performance.now() - t0;
  }

  /**
   * For a restart of the hub: every socket is about to be dropped by the runtime (no close handshake), which is not a
   * violation. Resolves when each has closed.
   */
  async expectDrop(timeoutMs: number): Promise<void> {
    const closed = this.#viewers.map(
      (v) =>
        new Promise<void>((resolve) => {
          v.closing = true;
          const ws = v.ws;
          if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
          ws.addEventListener("close", () => resolve(), { once: true });
        }),
    );
    await withTimeout(Promise.all(closed), timeoutMs, "sockets were not dropped");
  }

  /** Best-effort teardown; never throws. */
  terminate(): void {
    for (const v of this.#viewers) {
      v.closing = true;
      try {
        v.ws?.close();
      } catch {
        // already closed
      }
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.cause ? `${error.message} (cause: ${describe(error.cause)})` : error.message;
  if (typeof error === "object" && error !== null) {
    const e = error as { message?: unknown; error?: unknown; type?: unknown };
    if (e.error !== undefined) return describe(e.error);
    if (typeof e.message === "string" && e.message) return e.message;
    if (typeof e.type === "string") return `${e.type} event`;
  }
  return String(error);
}
