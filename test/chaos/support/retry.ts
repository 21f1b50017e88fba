/** Retries with backoff until `attempt` resolves or `timeoutMs` passes; the chaos test's HTTP calls must outlast a kill. */
import { backoffDelayMs } from "../../../protocol/index.ts";

const RETRY = { baseMs: 100, capMs: 2_000, floorMs: 50 } as const;

export async function retry<T>(what: string, attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadlineMs = Date.now() + timeoutMs;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadlineMs) throw new Error(`${what}: still failing after ${timeoutMs} ms`, { cause: error });
    }
    await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(n, RETRY)));
  }
}
