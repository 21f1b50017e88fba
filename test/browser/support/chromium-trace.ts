/**
 * A Chromium performance trace over CDP (`Tracing.start` with the DevTools
 * timeline categories) and what the load test reads from it: the renderer
 * main thread's task durations and the frames drawn.
 */
import type { CDPSession, Page } from "playwright-core";

const TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.frame", "toplevel"].join(",");
const TRACE_END_TIMEOUT_MS = 30_000;

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  /** Microseconds. */
  readonly ts: number;
  /** Microseconds, on complete ("X") events. */
  readonly dur?: number;
  readonly args?: { readonly name?: string };
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
}

export class ChromiumTrace {
  readonly #events: TraceEvent[] = [];
  private constructor(readonly cdp: CDPSession) {}

  static async start(page: Page): Promise<ChromiumTrace> {
    const cdp = await page.context().newCDPSession(page);
    const trace = new ChromiumTrace(cdp);
    // CDP types trace events as string maps; the fields read here are the Trace Event Format's.
    cdp.on("Tracing.dataCollected", ({ value }) => trace.#events.push(...(value as unknown as TraceEvent[])));
    await cdp.send("Tracing.start", { categories: TRACE_CATEGORIES, transferMode: "ReportEvents" });
    return trace;
  }

  /** Stops tracing and reads the page's renderer main thread. */
  async stop(): Promise<MainThreadProfile> {
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
    return mainThreadProfile(this.#events);
  }
}

/** The busiest `CrRendererMain` thread is the traced page's (other renderers idle). */
export function mainThreadProfile(events: readonly TraceEvent[]): MainThreadProfile {
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
  return { taskDurationsMs, longestTaskMs: Math.max(...taskDurationsMs), framesPerSecond: frames > 0 ? frames / traceSeconds : null, traceSeconds, busyPercent };
}

function total(tasks: readonly TraceEvent[]): number {
  return tasks.reduce((sum, t) => sum + (t.dur ?? 0), 0);
}
