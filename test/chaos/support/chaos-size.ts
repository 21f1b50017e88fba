/**
 * How big a chaos run is: the CI size inside `npm test`, the full size of
 * issue 8 under `npm run test:chaos` (CHAOS_SIZE=full). CHAOS_CLIENTS,
 * CHAOS_EVENTS, CHAOS_SENDERS and CHAOS_KILLS override either, to explore.
 */
export interface ChaosSize {
  readonly name: string;
  readonly clients: number;
  readonly channels: number;
  readonly events: number;
  readonly senders: number;
  readonly maxBatch: number;
  /** SIGKILLs (each followed by a restart on the same storage). */
  readonly kills: number;
  /** At least this many half-open sockets and evictions happen before the run ends. */
  readonly minHalfOpens: number;
  readonly minEvictions: number;
  /** The whole test, and the wait for every viewer to catch up at the end. */
  readonly timeoutMs: number;
  readonly settleTimeoutMs: number;
}

const CI: ChaosSize = {
  name: "ci",
  clients: 20,
  channels: 3,
  events: 600,
  senders: 3,
  maxBatch: 40,
  kills: 2,
  minHalfOpens: 4,
  minEvictions: 4,
  timeoutMs: 600_000,
  settleTimeoutMs: 120_000,
};

const FULL: ChaosSize = {
  name: "full",
  clients: 100,
  channels: 3,
  events: 5_000,
  senders: 6,
  maxBatch: 200,
  kills: 3,
  minHalfOpens: 20,
  minEvictions: 10,
  timeoutMs: 1_800_000,
  settleTimeoutMs: 300_000,
};

function override(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

export function chaosSize(env: string | undefined = process.env.CHAOS_SIZE): ChaosSize {
  const base = env === "full" ? FULL : CI;
  return {
    ...base,
    clients: override("CHAOS_CLIENTS", base.clients),
    events: override("CHAOS_EVENTS", base.events),
    senders: override("CHAOS_SENDERS", base.senders),
    kills: override("CHAOS_KILLS", base.kills),
  };
}
