/**
 * The polling fallback: `GET /api/channels/:channel/deltas?since=&epoch=&wait=`
 * in a loop, in the same seq space as the WebSocket. It asks again at once
 * while behind (wait=0), and long-polls (wait=N) once caught up.
 */
import * as v from "valibot";
import {
  HubError,
  Paths,
  ServerFrameSchema,
  backoffDelayMs,
  messageOf,
  trimBaseUrl,
  type BackoffPolicy,
  type DeltaFrame,
  type DeltasResponse,
} from "../../../../protocol/index.ts";
import type { ResumeCursor } from "./channel-store.ts";
import { TicketDeniedError, type TicketProvider } from "./tickets.ts";
import type { Cancel, Clock } from "./types.ts";

export interface LongPollerOptions {
  readonly baseUrl: string;
  readonly channel: string;
  readonly fetch: typeof fetch;
  readonly tickets: TicketProvider;
  readonly clock: Clock;
  readonly random: () => number;
  readonly waitSeconds: number;
  readonly requestTimeoutMs: number;
  readonly backoff: BackoffPolicy;
  /** Read right before each request. */
  readonly cursor: () => ResumeCursor | null;
  /** Applies a response; returns true when caught up, so the next request may wait on the server. */
  readonly onResponse: (body: DeltasResponse) => boolean;
  readonly onRequest: (url: string) => void;
  /** `unreachable`: no HTTP answer at all (refused, reset, timed out), as opposed to an error the hub answered with. */
  readonly onFailure: (message: string, retryInMs: number, unreachable: boolean) => void;
  /** The ticket or token is refused: polling stops. */
  readonly onDenied: (message: string) => void;
}

export class LongPoller {
  readonly #o: LongPollerOptions;
  #generation = 0;
  #running = false;
  #abort: AbortController | null = null;
  #sleeping: { cancel: Cancel; wake: () => void } | null = null;

  constructor(options: LongPollerOptions) {
    this.#o = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#generation++;
    void this.#loop(this.#generation);
  }

  /** Stops the loop and aborts the request in flight; a late response is never applied. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#generation++;
    this.#abort?.abort();
    this.#abort = null;
    if (this.#sleeping) {
      this.#sleeping.cancel();
      this.#sleeping.wake();
      this.#sleeping = null;
    }
  }

  async #loop(generation: number): Promise<void> {
    const o = this.#o;
    const live = () => this.#generation === generation;
    let failures = 0;
    let refusals = 0;
    let waitSeconds = 0;
    while (live()) {
      let failure: string;
      let unreachable: boolean;
      try {
        const ticket = await o.tickets.get(o.channel);
        if (!live()) return;
        const cursor = o.cursor();
        const query = new URLSearchParams();
        if (cursor) {
          query.set("since", String(cursor.seq));
          query.set("epoch", cursor.epoch);
        }
        query.set("wait", String(waitSeconds));
        const url = `${trimBaseUrl(o.baseUrl)}${Paths.deltas(o.channel)}?${query}`;
        o.onRequest(url);
        const res = await this.#fetch(url, ticket);
        if (!live()) return;
        if (res.status === 401 && ++refusals < 2) {
          // The ticket may have just expired: one more try with a fresh one.
          o.tickets.invalidate(o.channel);
          continue;
        }
        if (res.status === 401 || res.status === 403) {
          const refusal = await HubError.fromResponse(res);
          if (live()) this.#deny(refusal.message);
          return;
        }
        refusals = 0;
        if (!res.ok) throw await HubError.fromResponse(res);
        const body = parseDeltasResponse(await res.json().catch(() => null));
        if (!live()) return;
        if (!body) throw new HubError(res.status, null, "the deltas response has an unexpected shape");
        failures = 0;
        waitSeconds = o.onResponse(body) ? o.waitSeconds : 0;
        continue;
      } catch (error) {
        if (!live()) return;
        if (error instanceof TicketDeniedError) {
          this.#deny(error.message);
          return;
        }
        failure = messageOf(error);
        unreachable = !(error instanceof HubError);
      }
      failures++;
      waitSeconds = 0;
      const delayMs = backoffDelayMs(failures, o.backoff, o.random);
      o.onFailure(failure, delayMs, unreachable);
      await this.#sleep(delayMs);
    }
  }

  #deny(message: string): void {
    this.#running = false;
    this.#generation++;
    this.#o.onDenied(message);
  }

  async #fetch(url: string, ticket: string): Promise<Response> {
    const abort = new AbortController();
    this.#abort = abort;
    const cancelTimeout = this.#o.clock.schedule(() => abort.abort(new Error("the long-poll timed out")), this.#o.requestTimeoutMs);
    try {
      return await this.#o.fetch(url, { headers: { authorization: `Bearer ${ticket}` }, signal: abort.signal, cache: "no-store" });
    } finally {
      cancelTimeout();
      if (this.#abort === abort) this.#abort = null;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.#o.clock.schedule(() => {
        this.#sleeping = null;
        resolve();
      }, ms);
      this.#sleeping = { cancel, wake: resolve };
    });
  }
}

/** Validates a deltas response like a server frame: it comes from the network. */
export function parseDeltasResponse(raw: unknown): DeltasResponse | null {
  if (typeof raw !== "object" || raw === null) return null;
  const body = raw as Record<string, unknown>;
  if (body.recovered === true) {
    if (typeof body.epoch !== "string" || !Number.isSafeInteger(body.head) || !Array.isArray(body.deltas)) return null;
    for (const delta of body.deltas) {
      const parsed = v.safeParse(ServerFrameSchema, delta);
      if (!parsed.success || parsed.output.type !== "delta") return null;
    }
    return { recovered: true, epoch: body.epoch, head: body.head as number, deltas: body.deltas as DeltaFrame[] };
  }
  if (body.recovered === false && typeof body.snapshot === "object" && body.snapshot !== null) {
    const parsed = v.safeParse(ServerFrameSchema, { ...body.snapshot, type: "snapshot" });
    return parsed.success ? (body as DeltasResponse) : null;
  }
  return null;
}
