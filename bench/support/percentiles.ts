/** Nearest-rank percentile; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export const fmtMs = (ms: number) => `${ms.toFixed(1)} ms`;

export function summarize(samples: readonly number[]): string {
  return `p50 ${fmtMs(percentile(samples, 50))}  p99 ${fmtMs(percentile(samples, 99))}  max ${fmtMs(Math.max(...samples))}`;
}
