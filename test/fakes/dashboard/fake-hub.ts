/**
 * A scriptable stand-in for the hub, in the spirit of centrifuge-js's
 * fakeServer: one channel with an epoch, a delta log and a state, served
 * over FakeSockets (hello + replay or snapshot, then broadcasts, resync) and
 * over a fetch for the polling endpoint (with long-poll waits) and
 * `GET /api/health`. It follows the same replay rules as
 * worker/channel/replay-planner.ts. `reachable = false` plays a hub that is
 * down: every request fails like fetch does on a refused connection.
 */
import {
  MAX_DELTAS_PER_RESPONSE,
  PING_FRAME_TEXT,
  PONG_FRAME_TEXT,
  PROTOCOL_VERSION,
  applyChanges,
  emptyState,
  type Change,
  type ChannelState,
  type DeltaCause,
  type DeltaFrame,
  type DeltasResponse,
  type SnapshotFrame,
} from "../../../protocol/index.ts";
import type { FakeSocket } from "./fake-socket.ts";

export class FakeHub {
  epoch = "epoch-1";
  state: ChannelState = emptyState();
  log: DeltaFrame[] = [];
  readonly sockets = new Set<FakeSocket>();
  /** Every polling request: its URL and Authorization header. */
  readonly polls: { url: URL; authorization: string | null }[] = [];
  /** Status to answer polls with instead of data (e.g. 403), while set. */
  pollStatus: number | null = null;
  /** False: the hub is down; every request (health, polls) rejects like a refused connection. */
  reachable = true;
  /** `GET /api/health` requests, answered or not. */
  healthChecks = 0;
  #waiters = new Set<() => void>();
  #at = Date.UTC(2026, 0, 1);

  constructor(readonly channel = "demo") {}

  get head(): number {
    return this.log.at(-1)?.seq ?? 0;
  }

  /** Commits a delta and broadcasts it to every open socket, like ChannelObject.ingest. */
  commit(changes: Change[], cause: DeltaCause = { type: "agent.status" }): DeltaFrame {
    applyChanges(this.state, changes);
    const delta: DeltaFrame = { type: "delta", epoch: this.epoch, seq: this.head + 1, at: new Date((this.#at += 1000)).toISOString(), changes, cause };
    this.log.push(delta);
    for (const socket of this.sockets) {
      if (socket.state === "open") socket.receive(delta);
      else this.sockets.delete(socket);
    }
    for (const wake of [...this.#waiters]) wake();
    return delta;
  }

  /** A new epoch: the channel was reset (state and log start over). */
  reset(epoch: string): void {
    this.epoch = epoch;
    this.state = emptyState();
    this.log = [];
  }

  snapshot(): SnapshotFrame {
    return { type: "snapshot", epoch: this.epoch, seq: this.head, state: structuredClone(this.state) };
  }

  /** Accepts a socket that finished its query: hello, then replay or snapshot, then broadcasts. */
  accept(socket: FakeSocket): void {
    // Like the runtime's auto-response and ChannelObject.webSocketMessage. Set onClientFrame = null for a silent server.
    socket.onClientFrame = (text) => {
      if (text === PING_FRAME_TEXT) socket.receive(PONG_FRAME_TEXT);
      if (text === '{"type":"resync"}') socket.receive(this.snapshot());
    };
    socket.open();
    const after = this.#replayAfter(socket.params?.since, socket.params?.epoch);
    socket.receive({ type: "hello", protocol: PROTOCOL_VERSION, channel: this.channel, epoch: this.epoch, head: this.head, recovered: after !== null });
    if (after === null) socket.receive(this.snapshot());
    else for (const delta of this.log.filter((d) => d.seq > after)) socket.receive(delta);
    this.sockets.add(socket);
  }

  /** The polling endpoint, as a fetch. Long-polls wait for the next commit (or the request's abort). */
  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.pathname === "/api/health") {
      this.healthChecks++;
      if (!this.reachable) throw new TypeError("fetch failed");
      return Response.json({ ok: true });
    }
    if (!this.reachable) throw new TypeError("fetch failed");
    const headers = new Headers(init?.headers);
    this.polls.push({ url, authorization: headers.get("authorization") });
    if (url.pathname !== `/api/channels/${this.channel}/deltas`) return new Response("not found", { status: 404 });
    if (this.pollStatus !== null) return Response.json({ error: { code: "forbidden", message: "the ticket does not grant this channel" } }, { status: this.pollStatus });
    const since = url.searchParams.get("since");
    const epoch = url.searchParams.get("epoch");
    const wait = Number(url.searchParams.get("wait") ?? 0);
    let after = this.#replayAfter(since ?? undefined, epoch ?? undefined);
    if (after !== null && after >= this.head && wait > 0) {
      await this.#nextCommit(init?.signal ?? null);
      // goDown() ends waiting long-polls like a dropped connection.
      if (!this.reachable) throw new TypeError("fetch failed");
      after = this.#replayAfter(since ?? undefined, epoch ?? undefined);
    }
    const body: DeltasResponse =
      after === null
        ? { recovered: false, snapshot: { epoch: this.epoch, seq: this.head, state: structuredClone(this.state) } }
        : { recovered: true, epoch: this.epoch, head: this.head, deltas: this.log.filter((d) => d.seq > after).slice(0, MAX_DELTAS_PER_RESPONSE) };
    return Response.json(body);
  };

  /** The hub goes down: requests fail from now on, and the long-polls waiting on it fail too. */
  goDown(): void {
    this.reachable = false;
    for (const wake of [...this.#waiters]) wake();
  }

  /** How many long-polls are waiting for a commit. */
  get waitingPolls(): number {
    return this.#waiters.size;
  }

  #replayAfter(since: string | undefined, epoch: string | undefined): number | null {
    if (since === undefined || epoch === undefined) return null;
    const n = Number(since);
    if (!Number.isSafeInteger(n) || n < 0 || epoch !== this.epoch || n > this.head) return null;
    const oldest = this.log[0]?.seq ?? this.head + 1;
    return n + 1 < oldest ? null : n;
  }

  #nextCommit(signal: AbortSignal | null): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.#waiters.delete(done);
        resolve();
      };
      this.#waiters.add(done);
      signal?.addEventListener("abort", () => {
        this.#waiters.delete(done);
        reject(signal.reason ?? new DOMException("aborted", "AbortError"));
      });
    });
  }
}
