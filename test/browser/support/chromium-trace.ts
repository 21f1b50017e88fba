/**
 * A Chromium performance trace over CDP (`Tracing.start` with the DevTools
 * timeline categories) and what the load test reads from it: the renderer
 * main thread's task durations and the frames drawn, and for each long task
 * what it was made of: the timeline events inside it (script, style, layout,
 * paint, GC…) and, from a CDP Profiler sampling during the trace, the
 * JavaScript functions the samples inside it landed in (self time).
 */
import type { CDPSession, Page } from "playwright-core";

const TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.frame", "toplevel"].join(",");
const TRACE_END_TIMEOUT_MS = 30_000;
const PROFILER_INTERVAL_US = 500;
const TOP = 8;

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  /** Microseconds. */
  readonly ts: number;
  /** Microseconds, on complete ("X") events. */
  readonly dur?: number;
  /** The thread's CPU time inside a complete event, microseconds (when the trace records it). */
  readonly tdur?: number;
  readonly args?: {
    readonly name?: string;
    readonly data?: { readonly functionName?: string; readonly url?: string; readonly lineNumber?: number; readonly clip?: readonly number[] };
    readonly beginData?: { readonly dirtyObjects?: number; readonly totalObjects?: number; readonly stackTrace?: readonly { readonly functionName?: string }[] };
    readonly elementCount?: number;
  };
}

/** A CDP Profiler profile (the fields read here). */
interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number } }[];
  /** Microseconds, on the trace's clock. */
  readonly startTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

/** A main-thread task over the long-task threshold and what it was made of. */
export interface LongTask {
  /** From the trace's first event, ms. */
  readonly startMs: number;
  readonly durationMs: number;
  /**
   * The main thread's CPU time inside the task, ms (null if not recorded). Far below the duration, the
   * thread was waiting for a core: the machine was busy, not the page.
   */
  readonly threadMs: number | null;
  /** Timeline events inside the task, by name (FunctionCall with its function), summed inclusive ms, largest first. */
  readonly events: readonly (readonly [string, number])[];
  /** Sampled JavaScript self time inside the task, by function (`name url:line`), ms, largest first. */
  readonly functions: readonly (readonly [string, number])[];
}

export interface MainThreadProfile {
  /** Durations of the renderer main thread's tasks, ms. */
  readonly taskDurationsMs: readonly number[];
  readonly longestTaskMs: number;
  /** Frames the renderer drew per second over the trace (null if the trace holds no frame event). */
  readonly framesPerSecond: number | null;
  readonly traceSeconds: number;
  /** Share of the trace the main thread spent in tasks. */
  readonly busyPercent: number;
  /** The tasks over `longTaskMs`, in time order. */
  readonly longTasks: readonly LongTask[];
  /** Sampled JavaScript self time over the whole trace, by function, ms, largest first (the top 15). */
  readonly topFunctions: readonly (readonly [string, number])[];
}

export class ChromiumTrace {
  readonly #events: TraceEvent[] = [];
  private constructor(readonly cdp: CDPSession) {}

  #sampling = false;

  /** `sampleJs`: also run the CDP Profiler (JavaScript samples every 0.5 ms; it adds some main-thread cost). */
  static async start(page: Page, { sampleJs = false }: { sampleJs?: boolean } = {}): Promise<ChromiumTrace> {
    const cdp = await page.context().newCDPSession(page);
    const trace = new ChromiumTrace(cdp);
    // CDP types trace events as string maps; the fields read here are the Trace Event Format's.
    if (sampleJs) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: PROFILER_INTERVAL_US });
      await cdp.send("Profiler.start");
      trace.#sampling = true;
    }
    // CDP types trace events as string maps; the fields read here are the Trace Event Format's.
    cdp.on("Tracing.dataCollected", ({ value }) => trace.#events.push(...(value as unknown as TraceEvent[])));
    await cdp.send("Tracing.start", { categories: TRACE_CATEGORIES, transferMode: "ReportEvents" });
    return trace;
  }

  /** Stops tracing and reads the page's renderer main thread. */
  async stop(longTaskMs = 50): Promise<MainThreadProfile> {
    // CDP's Profiler.Profile is this shape; the cast only names the fields read.
    const profile = this.#sampling ? ((await this.cdp.send("Profiler.stop")) as unknown as { profile: CpuProfile }).profile : null;
    const complete = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the trace did not complete within ${TRACE_END_TIMEOUT_MS} ms`)), TRACE_END_TIMEOUT_MS);
      this.cdp.once("Tracing.tracingComplete", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await this.cdp.send("Tracing.end");
    await complete;
    await this.cdp.detach();
    return mainThreadProfile(this.#events, profile, longTaskMs);
  }
}

/** The busiest `CrRendererMain` thread is the traced page's (other renderers idle). */
export function mainThreadProfile(events: readonly TraceEvent[], cpu: CpuProfile | null = null, longTaskMs = 50): MainThreadProfile {
  const mainThreads = new Set(events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
  const tasksByThread = new Map<string, TraceEvent[]>();
  for (const event of events) {
    const thread = `${event.pid}:${event.tid}`;
    if (event.ph !== "X" || event.name !== "RunTask" || !mainThreads.has(thread)) continue;
    tasksByThread.set(thread, [...(tasksByThread.get(thread) ?? []), event]);
  }
  const busiest = [...tasksByThread.entries()].sort((a, b) => total(b[1]) - total(a[1]))[0];
  if (!busiest) throw new Error("the trace holds no RunTask of a renderer main thread");
  const [thread, tasks] = busiest;
  const pid = Number(thread.split(":")[0]);
  const timed = events.filter((e) => e.ts > 0 && e.pid === pid);
  const traceSeconds = (Math.max(...timed.map((e) => e.ts + (e.dur ?? 0))) - Math.min(...timed.map((e) => e.ts))) / 1e6;
  const frames = events.filter((e) => e.pid === pid && e.name === "DrawFrame").length;
  const taskDurationsMs = tasks.map((t) => (t.dur ?? 0) / 1000);
  const busyPercent = (total(tasks) / 1e6 / traceSeconds) * 100;
  const traceStart = Math.min(...timed.map((e) => e.ts));
  const samples = cpuSamples(cpu);
  const threadEvents = events.filter((e) => `${e.pid}:${e.tid}` === thread && e.ph === "X" && e.name !== "RunTask");
  const longTasks = tasks
    .filter((t) => (t.dur ?? 0) / 1000 > longTaskMs)
    .sort((a, b) => a.ts - b.ts)
    .map((t): LongTask => {
      const end = t.ts + (t.dur ?? 0);
      const inside = threadEvents.filter((e) => e.ts >= t.ts && e.ts < end);
      return {
        startMs: (t.ts - traceStart) / 1000,
        durationMs: (t.dur ?? 0) / 1000,
        threadMs: t.tdur === undefined ? null : t.tdur / 1000,
        events: top(inside.map((e) => [eventLabel(e), (e.dur ?? 0) / 1000] as const)),
        functions: top(samples.filter((s) => s.ts >= t.ts && s.ts < end).map((s) => [s.fn, s.ms] as const)),
      };
    });
  return {
    taskDurationsMs,
    longestTaskMs: Math.max(...taskDurationsMs),
    framesPerSecond: frames > 0 ? frames / traceSeconds : null,
    traceSeconds,
    busyPercent,
    longTasks,
    topFunctions: top(samples.map((s) => [s.fn, s.ms] as const), 15),
  };
}

function eventLabel(e: TraceEvent): string {
  const data = e.args?.data;
  if (e.name === "FunctionCall" && data) return `FunctionCall ${data.functionName || "(anonymous)"} ${shortUrl(data.url)}:${data.lineNumber ?? "?"}`;
  // A Layout's dirty and total objects, and the function that forced it if script did.
  const layout = e.args?.beginData;
  if (e.name === "Layout" && layout) return `Layout ${layout.dirtyObjects ?? "?"}/${layout.totalObjects ?? "?"}${layout.stackTrace?.[0] ? ` forced by ${layout.stackTrace[0].functionName || "(anonymous)"}` : ""}`;
  if (e.name === "UpdateLayoutTree" && e.args?.elementCount !== undefined) return `UpdateLayoutTree ${e.args.elementCount} elements`;
  // A Paint's clip is a quad (x, y × 4): its size tells a whole-page repaint from a small one.
  const clip = data?.clip;
  if (e.name === "Paint" && clip && clip.length === 8) return `Paint ${Math.round(clip[2]! - clip[0]!)}×${Math.round(clip[5]! - clip[1]!)}`;
  return e.name;
}

function shortUrl(url: string | undefined): string {
  return (url ?? "").replace(/^.*\//, "");
}

/** Each sample's leaf function, timestamp (µs) and weight (ms), idle and program samples left out. */
function cpuSamples(cpu: CpuProfile | null): { ts: number; fn: string; ms: number }[] {
  if (!cpu?.samples || !cpu.timeDeltas) return [];
  const names = new Map(cpu.nodes.map((n) => [n.id, `${n.callFrame.functionName || "(anonymous)"} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}:${n.callFrame.columnNumber + 1}`]));
  const out: { ts: number; fn: string; ms: number }[] = [];
  let ts = cpu.startTime;
  for (let i = 0; i < cpu.samples.length; i++) {
    ts += cpu.timeDeltas[i] ?? 0;
    const next = cpu.timeDeltas[i + 1] ?? PROFILER_INTERVAL_US;
    const fn = names.get(cpu.samples[i]!) ?? "?";
    if (fn.startsWith("(idle)") || fn.startsWith("(program)")) continue;
    out.push({ ts, fn, ms: next / 1000 });
  }
  return out;
}

function top(entries: readonly (readonly [string, number])[], n = TOP): [string, number][] {
  const sums = new Map<string, number>();
  for (const [k, v] of entries) sums.set(k, (sums.get(k) ?? 0) + v);
  return [...sums.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, Math.round(v * 10) / 10]);
}

function total(tasks: readonly TraceEvent[]): number {
  return tasks.reduce((sum, t) => sum + (t.dur ?? 0), 0);
}
