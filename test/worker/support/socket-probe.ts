/**
 * A viewer's WebSocket, opened in-process, that records every frame and lets
 * a test wait (with a timeout) until what it expects has arrived.
 */
import { Paths, deltasOf, parseServerFrame, type DeltaFrame, type ServerFrame } from "../../../protocol/index.ts";
import { HUB_URL, fetchHub } from "./hub.ts";

export const DEFAULT_WAIT_MS = 3000;

export interface SocketOptions {
  readonly ticket?: string;
  readonly since?: number | string;
  readonly epoch?: string;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

type Waiter = () => boolean;

const open = new Set<SocketProbe>();

export class SocketProbe {
  /** Every server frame, parsed and checked against the protocol schema. */
  readonly frames: ServerFrame[] = [];
  /** Texts that were not valid server frames (always a bug). */
  readonly invalid: string[] = [];
  closed: CloseInfo | null = null;
  readonly #ws: WebSocket;
  readonly #waiters = new Set<Waiter>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener("message", (event) => {
      const text = typeof event.data === "string" ? event.data : "<binary>";
      const frame = parseServerFrame(text);
      if (frame) this.frames.push(frame);
      else this.invalid.push(text);
      this.#check();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      open.delete(this);
      this.#check();
    });
  }

  /** Opens `GET /ws/:channel` and accepts the socket. */
  static async open(channel: string, options: SocketOptions = {}): Promise<SocketProbe> {
    const query = new URLSearchParams();
    if (options.ticket !== undefined) query.set("ticket", options.ticket);
    if (options.since !== undefined) query.set("since", String(options.since));
    if (options.epoch !== undefined) query.set("epoch", options.epoch);
    const res = await fetchHub(`${HUB_URL}${Paths.socket(channel)}?${query}`, { headers: { Upgrade: "websocket" } });
    const ws = res.webSocket;
    if (res.status !== 101 || !ws) throw new Error(`upgrade answered ${res.status}: ${await res.text()}`);
    ws.accept();
    const probe = new SocketProbe(ws);
    open.add(probe);
    return probe;
  }

  /** Closes every probe a test left open. */
  static closeAll(): void {
    for (const probe of open) probe.close();
  }

  /** Every delta received, in order, whether it came alone or in a `deltas` frame. */
  get deltas(): DeltaFrame[] {
    return this.frames.flatMap((f) => deltasOf(f));
  }

  send(data: string | ArrayBuffer): void {
    this.#ws.send(data);
  }

  close(code = 1000, reason = "test done"): void {
    open.delete(this);
    try {
      this.#ws.close(code, reason);
    } catch {
      // already closed
    }
  }

  /** Resolves with the first frame count at which `done(frames)` holds. */
  waitFor(what: string, done: (frames: readonly ServerFrame[]) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<ServerFrame[]> {
    return this.#until(what, () => done(this.frames), timeoutMs).then(() => [...this.frames]);
  }

  /** Waits until `count` frames have arrived. */
  waitForFrames(count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<ServerFrame[]> {
    return this.waitFor(`${count} frames`, (frames) => frames.length >= count, timeoutMs);
  }

  /** Waits until a delta with this seq has arrived; returns it. */
  async waitForSeq(seq: number, timeoutMs = DEFAULT_WAIT_MS): Promise<DeltaFrame> {
    await this.waitFor(`delta seq ${seq}`, () => this.deltas.some((d) => d.seq === seq), timeoutMs);
    return this.deltas.find((d) => d.seq === seq)!;
  }

  async waitForClose(timeoutMs = DEFAULT_WAIT_MS): Promise<CloseInfo> {
    await this.#until("close", () => this.closed !== null, timeoutMs);
    return this.closed!;
  }

  #until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check: Waiter = () => {
        if (this.invalid.length > 0) {
          finish();
          reject(new Error(`invalid server frame(s): ${this.invalid.join(" | ")}`));
          return true;
        }
        if (!done()) return false;
        finish();
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.frames).slice(0, 1500)}; closed ${JSON.stringify(this.closed)}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      if (!check()) this.#waiters.add(check);
    });
  }

  #check(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** A short pause for "nothing else arrives" checks; printed, never asserted as timing. */
export function settle(ms = 100): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
