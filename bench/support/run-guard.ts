/** What the benches share around their run: reading numeric flags, and cleaning up however the run ends. */

export function positiveInt(name: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

/**
 * Runs `cleanup` exactly once, whichever comes first: the run's own end (`finish()`), SIGINT/SIGTERM (then exit
 * 130) or the watchdog after `watchdogMs` (then exit 2). `cleanup` must release everything whichever step failed.
 */
export function guardRun(cleanup: () => Promise<void>, watchdogMs: number): { readonly finish: () => Promise<void> } {
  let cleaning: Promise<void> | null = null;
  const once = () => (cleaning ??= cleanup());
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void once().finally(() => process.exit(130)));
  const watchdog = setTimeout(() => {
    console.error(`\nwatchdog: the run exceeded ${watchdogMs / 1000} s; cleaning up`);
    void once().finally(() => process.exit(2));
  }, watchdogMs);
  return {
    finish: async () => {
      clearTimeout(watchdog);
      await once();
    },
  };
}
