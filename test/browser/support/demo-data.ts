/**
 * A realistic channel: a project with two Task Master tags, agents in every
 * status, and a few minutes of health history from two sources. Used by the
 * browser tests and by scripts/screenshots.ts.
 */
import type { HubEventInput } from "../../../protocol/index.ts";
import { ev } from "../../../dev/events.ts";

const MINUTE_MS = 60_000;
export const HEALTH_SAMPLE_INTERVAL_MS = 5_000;
export const HEALTH_HISTORY_SAMPLES = 72;

type Task = Record<string, unknown> & { id: number | string };

const MASTER_TASKS: Task[] = [
  { id: 1, title: "Set up the monorepo and CI", status: "done", priority: "high", dependencies: [] },
  { id: 2, title: "Design the checkout data model", status: "done", priority: "high", dependencies: [1] },
  {
    id: 3,
    title: "Payment provider integration",
    status: "in-progress",
    priority: "critical",
    dependencies: [2],
    agentId: "claude-1",
    complexity: { score: 8, recommendedSubtasks: 5, reasoning: "Three parties (browser, server, provider) and an asynchronous 3-D Secure step." },
    createdAt: "2026-11-02T09:30:00.000Z",
    subtasks: [
      { id: 1, title: "Tokenise cards client-side", status: "done" },
      { id: 2, title: "Server-side intent creation", status: "done" },
      { id: 3, title: "3-D Secure challenge flow", status: "in-progress" },
      { id: 4, title: "Webhook reconciliation", status: "pending", dependencies: [3] },
    ],
  },
  { id: 4, title: "Address autocomplete", status: "review", priority: "medium", dependencies: [2], agentId: "codex-2" },
  { id: 5, title: "Promo codes and gift cards", status: "in-progress", priority: "medium", dependencies: [2], agentId: "codex-2" },
  { id: 6, title: "Tax calculation service", status: "blocked", priority: "high", dependencies: [3], description: "Waiting on the provider's sandbox keys" },
  { id: 7, title: "Order confirmation emails", status: "pending", priority: "low", dependencies: [3, 5] },
  { id: 8, title: "Fraud scoring rules", status: "failed", priority: "high", dependencies: [3], agentId: "gemini-3" },
  { id: 9, title: "Accessibility audit of the checkout", status: "pending", priority: "medium", dependencies: [4] },
  { id: 10, title: "Load test at 500 orders/s", status: "deferred", priority: "low", dependencies: [3, 6] },
];

const SEARCH_TASKS: Task[] = [
  { id: 1, title: "Index products in the search cluster", status: "done", priority: "high", dependencies: [] },
  { id: 2, title: "Typo-tolerant queries", status: "in-progress", priority: "medium", dependencies: [1], agentId: "gemini-3" },
  { id: 3, title: "Facets for size and colour", status: "pending", priority: "medium", dependencies: [1] },
];

/** Events that build the demo channel; health history ends now. */
export function demoEvents(nowMs = Date.now()): HubEventInput[] {
  const at = (offsetMs: number) => new Date(nowMs + offsetMs).toISOString();
  const events: HubEventInput[] = [ev.meta({ name: "Checkout Revamp", currentTag: "master" }, at(-10 * MINUTE_MS))];
  for (const task of MASTER_TASKS) events.push(ev.taskUpsert(task, { occurredAt: at(-9 * MINUTE_MS) }));
  for (const task of SEARCH_TASKS) events.push(ev.taskUpsert(task, { tag: "feature-search", occurredAt: at(-9 * MINUTE_MS) }));
  events.push(ev.taskProgress(3, 62, { occurredAt: at(-20_000), message: "3-D Secure sandbox passing" }));
  events.push(ev.taskProgress(5, 35, { occurredAt: at(-40_000) }));
  events.push(ev.taskProgress(2, 48, { tag: "feature-search", occurredAt: at(-30_000) }));
  events.push(
    ev.agentStatus("claude-1", "busy", { name: "Claude (payments)", taskId: "3.3", detail: "Implementing the 3-D Secure redirect", occurredAt: at(-15_000) }),
    ev.agentStatus("codex-2", "busy", { name: "Codex (promo)", taskId: "5", occurredAt: at(-25_000) }),
    ev.agentStatus("gemini-3", "error", { name: "Gemini (fraud)", taskId: "8", detail: "Rule engine tests failing: 3 of 41", occurredAt: at(-70_000) }),
    ev.agentStatus("reviewer", "idle", { name: "Review bot", occurredAt: at(-3 * MINUTE_MS) }),
    ev.agentStatus("docs-bot", "online", { name: "Docs bot", occurredAt: at(-5_000) }),
  );
  for (const [source, base] of [["api-eu", 38], ["worker-us", 61]] as const) {
    for (let i = HEALTH_HISTORY_SAMPLES - 1; i >= 0; i--) {
      const t = HEALTH_HISTORY_SAMPLES - i;
      const wave = Math.sin(t / 6) * 12 + Math.sin(t / 2.3) * 4;
      events.push(
        ev.health(
          source,
          {
            cpu: clamp(base + wave + (t > 50 && source === "worker-us" ? 18 : 0)),
            memory: { usedBytes: Math.round((5.2 + t * 0.015 + Math.sin(t / 9) * 0.3) * 2 ** 30), totalBytes: 16 * 2 ** 30 },
            queueDepth: Math.max(0, Math.round((source === "api-eu" ? 4 : 14) + Math.sin(t / 4) * 6 + (t > 55 ? (t - 55) * 1.5 : 0))),
          },
          at(-i * HEALTH_SAMPLE_INTERVAL_MS),
        ),
      );
    }
  }
  return events;
}

function clamp(percent: number): number {
  return Math.round(Math.min(100, Math.max(0, percent)) * 10) / 10;
}
