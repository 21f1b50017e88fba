/**
 * The pure parts of `npm run bench` (bench/compare.ts): its arguments, the
 * order of the targets in each run, the metrics with their direction, the
 * medians over runs, the hub/peer ratios and the printed tables.
 */
import { parseArgs } from "node:util";
import { positiveInt } from "./run-guard.ts";

export const TARGETS = ["hub", "ws", "socketio", "partyserver"] as const;
export type Target = (typeof TARGETS)[number];
export type Peer = Exclude<Target, "hub">;

export interface BenchOptions {
  readonly clients: number;
  readonly events: number;
  readonly runs: number;
  readonly targets: readonly Target[];
  /** Sockets opened per second in the connect phase, over the whole fleet. */
  readonly connectRate: number;
  /** The steady phase posts one event every this many ms. */
  readonly intervalMs: number;
  /** The burst phase posts its events at once, in webhook batches of this many. */
  readonly burstBatch: number;
  /** Child processes the client sockets are split over. */
  readonly fleets: number;
  readonly json: string | null;
}

export const BENCH_USAGE =
  "usage: npm run bench -- [--clients N] [--events M] [--runs R] [--targets hub,ws,socketio,partyserver] [--connect-rate 300] [--interval-ms 50] [--burst-batch 50] [--fleets 4] [--json file]";

/** Parses the command line; throws an Error naming the bad option. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      clients: { type: "string", default: "300" },
      events: { type: "string", default: "100" },
      runs: { type: "string", default: "1" },
      targets: { type: "string", default: TARGETS.join(",") },
      "connect-rate": { type: "string", default: "300" },
      "interval-ms": { type: "string", default: "50" },
      "burst-batch": { type: "string", default: "50" },
      fleets: { type: "string", default: "4" },
      json: { type: "string" },
    },
  });
  const targets = values.targets.split(",").map((t) => t.trim());
  const unknown = targets.filter((t) => !(TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0 || targets.length === 0) throw new Error(`--targets: unknown target(s) ${unknown.join(", ") || "(none)"}; expected some of ${TARGETS.join(",")}`);
  if (new Set(targets).size !== targets.length) throw new Error("--targets: a target is named twice");
  const clients = positiveInt("clients", values.clients);
  return {
    clients,
    events: positiveInt("events", values.events),
    runs: positiveInt("runs", values.runs),
    targets: targets as Target[],
    connectRate: positiveInt("connect-rate", values["connect-rate"]),
    intervalMs: positiveInt("interval-ms", values["interval-ms"]),
    burstBatch: Math.min(positiveInt("burst-batch", values["burst-batch"]), 500),
    fleets: Math.min(positiveInt("fleets", values.fleets), clients),
    json: values.json ?? null,
  };
}

/** Run 1 in the given order, run 2 reversed, run 3 rotated by one, … so no target is always first or last. */
export function runOrder(targets: readonly Target[], run: number): Target[] {
  const rotated = [...targets.slice(Math.floor(run / 2) % targets.length), ...targets.slice(0, Math.floor(run / 2) % targets.length)];
  return run % 2 === 0 ? rotated : rotated.reverse();
}

/** The middle value (mean of the two middle ones for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  const sorted = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const METRICS = [
  { key: "connectRate", label: "connect rate (sockets/s)", better: "higher", digits: 0 },
  { key: "handshakeP50", label: "handshake p50 (ms)", better: "lower", digits: 1 },
  { key: "handshakeP99", label: "handshake p99 (ms)", better: "lower", digits: 1 },
  { key: "clientP50", label: "per-client p50 (ms)", better: "lower", digits: 1 },
  { key: "clientP95", label: "per-client p95 (ms)", better: "lower", digits: 1 },
  { key: "clientP99", label: "per-client p99 (ms)", better: "lower", digits: 1 },
  { key: "lastClientP50", label: "last-client p50 (ms)", better: "lower", digits: 1 },
  { key: "lastClientP95", label: "last-client p95 (ms)", better: "lower", digits: 1 },
  { key: "lastClientP99", label: "last-client p99 (ms)", better: "lower", digits: 1 },
  { key: "burstDeliveriesPerSecond", label: "burst deliveries/s", better: "higher", digits: 0 },
  { key: "framesPerClient", label: "frames per client", better: "lower", digits: 1 },
  { key: "bytesPerClient", label: "bytes per client", better: "lower", digits: 0 },
  { key: "lost", label: "lost (must be 0)", better: "lower", digits: 0 },
  { key: "cpuSeconds", label: "server CPU user+sys (s)", better: "lower", digits: 2 },
  { key: "rssMiB", label: "server RSS at end (MiB)", better: "lower", digits: 0 },
] as const;

export type MetricKey = (typeof METRICS)[number]["key"];
export type Metrics = Record<MetricKey, number>;
export type TargetResults = Partial<Record<Target, Metrics>>;

/** Per target and metric, the median over the runs that measured that target. */
export function mediansOver(runs: readonly TargetResults[]): TargetResults {
  const out: TargetResults = {};
  for (const target of TARGETS) {
    const measured = runs.flatMap((r) => (r[target] ? [r[target]] : []));
    if (measured.length === 0) continue;
    out[target] = Object.fromEntries(METRICS.map(({ key }) => [key, median(measured.map((m) => m[key]))])) as Metrics;
  }
  return out;
}

/** hub ÷ peer for each metric and measured peer (NaN where a side is missing or the peer's value is 0). */
export function hubRatios(results: TargetResults): Partial<Record<Peer, Metrics>> {
  const hub = results.hub;
  const out: Partial<Record<Peer, Metrics>> = {};
  if (!hub) return out;
  for (const target of TARGETS) {
    const peer = target === "hub" ? undefined : results[target];
    if (target === "hub" || !peer) continue;
    out[target] = Object.fromEntries(METRICS.map(({ key }) => [key, peer[key] === 0 ? NaN : hub[key] / peer[key]])) as Metrics;
  }
  return out;
}

const fmt = (x: number, digits: number) => (Number.isNaN(x) ? "n/a" : x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }));

/** A markdown table: one row per metric, one column per target (in TARGETS order). */
export function formatResults(results: TargetResults): string {
  const targets = TARGETS.filter((t) => results[t]);
  const rows = METRICS.map((m) => `| ${m.label} | ${targets.map((t) => fmt(results[t]![m.key], m.digits)).join(" | ")} |`);
  return [`| metric | ${targets.join(" | ")} |`, `|---|${targets.map(() => "---:").join("|")}|`, ...rows].join("\n");
}

/** A markdown table of hub/peer ratios; "better" says which side of 1 favours the hub. */
export function formatRatios(ratios: Partial<Record<Peer, Metrics>>): string {
  const peers = TARGETS.filter((t): t is Peer => t !== "hub" && ratios[t as Peer] !== undefined);
  const rows = METRICS.filter((m) => m.key !== "lost").map((m) => `| ${m.label} | ${m.better === "lower" ? "< 1" : "> 1"} | ${peers.map((p) => fmt(ratios[p]![m.key], 2)).join(" | ")} |`);
  return [`| hub ÷ peer | hub better when | ${peers.join(" | ")} |`, `|---|---|${peers.map(() => "---:").join("|")}|`, ...rows].join("\n");
}
