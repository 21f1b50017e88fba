/** System health per source: the latest reading and the retained history as chart series. */
import type { ChannelState, HealthSample } from "../../../../protocol/index.ts";

export interface HealthSeries {
  /** Unix seconds (uPlot's x unit). */
  readonly at: number[];
  readonly cpuPercent: (number | null)[];
  readonly memoryPercent: (number | null)[];
  readonly queueDepth: (number | null)[];
}

export interface HealthSourceView {
  readonly source: string;
  readonly samples: number;
  readonly lastAt: string | null;
  readonly cpuPercent: number | null;
  readonly memory: { readonly usedBytes: number; readonly totalBytes: number; readonly percent: number } | null;
  readonly queueDepth: number | null;
  /** Changes whenever the series changes, so charts redraw only then. */
  readonly revision: string;
  readonly series: HealthSeries;
}

/** Views cached per samples array: the connection layer copies a source's array only when a sample arrives. */
const viewBySamples = new WeakMap<readonly HealthSample[], HealthSourceView>();

export function healthSources(state: ChannelState): HealthSourceView[] {
  return Object.entries(state.health)
    .map(([source, samples]) => {
      let view = viewBySamples.get(samples);
      if (!view || view.source !== source) {
        view = toView(source, samples);
        viewBySamples.set(samples, view);
      }
      return view;
    })
    .sort((a, b) => a.source.localeCompare(b.source));
}

function toView(source: string, samples: readonly HealthSample[]): HealthSourceView {
  const last = samples.at(-1);
  const latest = <K extends "cpu" | "memory" | "queueDepth">(key: K): HealthSample[K] | undefined => {
    for (let i = samples.length - 1; i >= 0; i--) {
      const value = samples[i]?.[key];
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const memory = latest("memory");
  return {
    source,
    samples: samples.length,
    lastAt: last?.at ?? null,
    cpuPercent: latest("cpu") ?? null,
    memory: memory ? { ...memory, percent: memoryPercent(memory) } : null,
    queueDepth: latest("queueDepth") ?? null,
    revision: `${samples.length}:${samples[0]?.at ?? ""}:${last?.at ?? ""}`,
    series: {
      at: samples.map((s) => Date.parse(s.at) / 1000),
      cpuPercent: samples.map((s) => s.cpu ?? null),
      memoryPercent: samples.map((s) => (s.memory ? memoryPercent(s.memory) : null)),
      queueDepth: samples.map((s) => s.queueDepth ?? null),
    },
  };
}

function memoryPercent(memory: { usedBytes: number; totalBytes: number }): number {
  return memory.totalBytes > 0 ? (memory.usedBytes * 100) / memory.totalBytes : 0;
}
