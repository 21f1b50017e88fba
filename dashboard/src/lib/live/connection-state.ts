/**
 * LiveChannel's states, each holding the resources that live exactly as long
 * as it does, and the status the UI reads from them. Leaving a state releases
 * what it holds (release()), so no timer, socket or poll of a state that is
 * over can act on the next one.
 */
import type { ChannelSync } from "./channel-sync.ts";
import type { PollingState } from "./polling-state.ts";
import { redactCredentials } from "./redact.ts";
import type { SocketSession } from "./socket-session.ts";
import type { Cancel, ConnectionStatus, Phase } from "./types.ts";

export type ConnectionState =
  /** A socket attempt before its handshake completed: waiting for hello, then catching up. `message`: why the last one ended. */
  | { readonly kind: "connecting"; readonly session: SocketSession; readonly message: string | null }
  /** The handshake completed: pings, ticket renewal, frames sent at once. Catching up again after a resync. */
  | { readonly kind: "live"; readonly session: SocketSession }
  /** Waiting out the backoff; `retryTimer` null while asking the hub over HTTP whether it is up. */
  | { readonly kind: "reconnecting"; readonly message: string; readonly retryAtMs: number | null; readonly retryTimer: Cancel | null }
  | PollingState
  /** Terminal until retry(). */
  | { readonly kind: "denied" | "offline"; readonly message: string };

/** The socket a state holds: its own, or the polling state's probe. */
export function sessionOf(state: ConnectionState | null): SocketSession | null {
  if (state?.kind === "connecting" || state?.kind === "live") return state.session;
  return state?.kind === "polling" ? state.probe : null;
}

/** Releases what `state` holds and `next` does not take over (a probe's session moves on to connecting, a connecting one to live). */
export function release(state: ConnectionState, next: ConnectionState, closeReason: string): void {
  const session = sessionOf(state);
  if (session && session !== sessionOf(next)) session.close(closeReason);
  if (state.kind === "reconnecting") state.retryTimer?.();
  if (state.kind === "polling" && state !== next) state.dispose();
}

/** What LiveChannel keeps across states. */
export interface Counters {
  /** The backoff attempt: consecutive attempts that did not stay live. */
  readonly attempt: number;
  readonly rttMs: number | null;
  readonly closeCode: number | null;
}

/** `state` null: not started yet. The message is redacted: it quotes close reasons and errors, and the console hook shows it. */
export function statusOf(state: ConnectionState | null, sync: ChannelSync, counters: Counters): ConnectionStatus {
  const status = unredactedStatusOf(state, sync, counters);
  return status.message === null ? status : { ...status, message: redactCredentials(status.message) };
}

function unredactedStatusOf(state: ConnectionState | null, sync: ChannelSync, counters: Counters): ConnectionStatus {
  const base = { behind: sync.behind, seq: sync.store.seq, epoch: sync.store.epoch, rttMs: counters.rttMs, closeCode: counters.closeCode };
  if (state?.kind === "polling") return { ...base, ...state.view, transport: "polling" };
  const phase = phaseOf(state, sync, counters.attempt);
  const transport = phase === "live" || phase === "catching-up" ? "websocket" : null;
  const attempt = phase === "live" ? 0 : counters.attempt;
  const nextRetryAtMs = state?.kind === "reconnecting" ? state.retryAtMs : null;
  const message = state && state.kind !== "live" ? state.message : null;
  return { ...base, phase, transport, attempt, nextRetryAtMs, message };
}

function phaseOf(state: Exclude<ConnectionState, PollingState> | null, sync: ChannelSync, attempt: number): Phase {
  if (state === null) return "connecting";
  if (state.kind === "live") return sync.caughtUp ? "live" : "catching-up";
  if (state.kind !== "connecting") return state.kind;
  if (state.session.hadHello) return "catching-up";
  return attempt === 0 ? "connecting" : "reconnecting";
}
