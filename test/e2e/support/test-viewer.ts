/**
 * A minimal viewer for end-to-end tests: a partysocket client that resumes
 * from its last applied seq and records every seq it applies, so a test can
 * prove it saw no gap, no duplicate and no reordering.
 */
import ReconnectingWebSocket from "partysocket/ws";
import { applyChanges, deltasOf, parseServerFrame, Paths, type ChannelState, type DeltaFrame } from "../../../protocol/index.ts";

export class TestViewer {
  state: ChannelState | null = null;
  epoch: string | null = null;
  seq = 0;
  /** Seqs applied, in order; a snapshot appends `-seq` to mark a restart point. */
  readonly applied: number[] = [];
  hellos = 0;
  recovered = 0;
  /** For each snapshot applied, the `reason` its hello gave (not recovered), in order. */
  readonly snapshotReasons: string[] = [];
  snapshots = 0;
  /** Hellos that announced a snapshot which never arrived: the socket dropped between the two frames. */
  snapshotsCut = 0;
  /** The reason of the last hello while its snapshot is still to come. */
  #announced: string | null = null;
  gaps = 0;
  duplicates = 0;
  errors: string[] = [];
  readonly socket: ReconnectingWebSocket;

  /** `connectionTimeoutMs`: how long a connect may take before partysocket gives up and retries (default 5 s). */
  constructor(baseUrl: string, readonly channel: string, ticket: () => Promise<string>, options: { connectionTimeoutMs?: number } = {}) {
    const wsBase = baseUrl.replace(/^http/, "ws");
    this.socket = new ReconnectingWebSocket(
      async () => {
        const query = new URLSearchParams({ ticket: await ticket() });
        if (this.epoch !== null) {
          query.set("since", String(this.seq));
          query.set("epoch", this.epoch);
        }
        return `${wsBase}${Paths.socket(channel)}?${query}`;
      },
      null,
      { WebSocket: globalThis.WebSocket, minReconnectionDelay: 50 + Math.random() * 200, maxReconnectionDelay: 2000, connectionTimeout: options.connectionTimeoutMs ?? 5000 },
    );
    this.socket.addEventListener("message", (event) => this.#onMessage(String(event.data)));
  }

  #onMessage(text: string): void {
    const frame = parseServerFrame(text);
    if (!frame) {
      this.errors.push(`unparseable frame: ${text.slice(0, 200)}`);
      return;
    }
    switch (frame.type) {
      case "hello":
        this.hellos++;
        if (this.#announced !== null) this.snapshotsCut++;
        this.#announced = null;
        if (frame.recovered) this.recovered++;
        else this.#announced = frame.reason ?? "none given";
        return;
      case "snapshot":
        this.snapshots++;
        this.snapshotReasons.push(this.#announced ?? "not announced by a hello");
        this.#announced = null;
        this.state = frame.state;
        this.epoch = frame.epoch;
        this.seq = frame.seq;
        this.applied.push(-frame.seq);
        return;
      case "delta":
      case "deltas":
        for (const delta of deltasOf(frame)) this.#delta(delta);
        return;
      case "error":
        this.errors.push(`error frame ${frame.code}: ${frame.message}`);
        return;
      case "pong":
        return;
    }
  }

  #delta(delta: DeltaFrame): void {
    if (!this.state || delta.epoch !== this.epoch) {
      this.errors.push(`delta ${delta.seq} before a snapshot or in another epoch`);
      return;
    }
    if (delta.seq <= this.seq) {
      this.duplicates++;
      return;
    }
    if (delta.seq !== this.seq + 1) {
      this.gaps++;
      this.errors.push(`gap: had ${this.seq}, got ${delta.seq}`);
      return;
    }
    applyChanges(this.state, delta.changes);
    this.seq = delta.seq;
    this.applied.push(delta.seq);
  }

  get open(): boolean {
    return this.socket.readyState === ReconnectingWebSocket.OPEN;
  }

  close(): void {
    this.socket.close();
  }
}

/** True when the applied seqs run +1 at a time from each restart point. */
export function isGapFree(applied: readonly number[]): boolean {
  let expected: number | null = null;
  for (const s of applied) {
    if (s <= 0) {
      expected = -s + 1;
      continue;
    }
    if (expected === null || s !== expected) return false;
    expected = s + 1;
  }
  return true;
}
