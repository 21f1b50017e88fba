/**
 * A simulated Task Master project for the demo feed: three agents pick up
 * ready tasks, finish subtasks, send work to review, sometimes fail, and a
 * new sprint starts once everything is done. Pure: randomness and the clock
 * are injected, so a seeded run is repeatable.
 */
import { subtaskIdOf, type AgentStatus, type HubEventInput, type TaskStatus } from "../../../protocol/index.ts";

interface SimSubtask {
  readonly n: number;
  readonly title: string;
  status: TaskStatus;
}

interface SimTask {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly priority: "low" | "medium" | "high" | "critical";
  readonly dependencies: readonly string[];
  readonly subtasks: SimSubtask[];
  status: TaskStatus;
  agentId: string | null;
}

interface SimAgent {
  readonly id: string;
  readonly name: string;
  status: AgentStatus;
  taskId: string | null;
  detail: string | null;
}

const PLAN: readonly { title: string; description: string; priority: SimTask["priority"]; deps: string[]; subtasks: string[] }[] = [
  { title: "Set up repository and CI", description: "Monorepo, lint, test and deploy pipelines.", priority: "high", deps: [], subtasks: ["Create repository", "Add CI workflow", "Add preview deploys"] },
  { title: "Design the order data model", description: "Orders, line items, payments and refunds.", priority: "high", deps: ["1"], subtasks: ["Draft schema", "Write migrations"] },
  { title: "Integrate the payment provider", description: "Card payments with 3-D Secure and webhooks.", priority: "critical", deps: ["2"], subtasks: ["Create payment intents", "Handle provider webhooks", "Idempotent retries", "Refund flow"] },
  { title: "Build the cart API", description: "Add, update and remove items; price totals.", priority: "high", deps: ["2"], subtasks: ["Cart endpoints", "Price calculation", "Stock reservation"] },
  { title: "Checkout UI", description: "Address, shipping and payment steps.", priority: "medium", deps: ["4"], subtasks: ["Address form", "Shipping options", "Payment step", "Confirmation page"] },
  { title: "Email receipts", description: "Send a receipt when a payment succeeds.", priority: "low", deps: ["3"], subtasks: ["Receipt template", "Send on payment success"] },
  { title: "Load test checkout", description: "500 orders per minute with p99 under 300 ms.", priority: "medium", deps: ["3", "4"], subtasks: ["Write scenarios", "Run and tune"] },
  { title: "Launch checklist", description: "Monitoring, runbook, feature flag.", priority: "high", deps: ["5", "6", "7"], subtasks: ["Dashboards and alerts", "Runbook", "Flip the flag"] },
];

const AGENTS: readonly { id: string; name: string }[] = [
  { id: "claude-code", name: "Claude Code" },
  { id: "codex", name: "Codex" },
  { id: "aider", name: "Aider" },
];

const DEMO_HEALTH_SOURCES = ["build-runner-1", "build-runner-2"] as const;

const TICKS_BEFORE_NEW_SPRINT = 4;
const P_FINISH_SUBTASK = 0.6;
const P_REVIEW_PASSES = 0.6;
const P_AGENT_FAILS = 0.04;
const GIB = 1024 ** 3;

export class DemoProject {
  readonly #random: () => number;
  readonly #nowMs: () => number;
  #lastMs = 0;
  #seq = 0;
  #sprint = 1;
  #idleTicks = 0;
  readonly #tasks: SimTask[];
  readonly #agents: SimAgent[];
  readonly #cpu = new Map<string, number>(DEMO_HEALTH_SOURCES.map((s) => [s, 20]));

  constructor(options: { random?: () => number; nowMs?: () => number } = {}) {
    this.#random = options.random ?? Math.random;
    this.#nowMs = options.nowMs ?? Date.now;
    this.#tasks = PLAN.map((p, i) => ({
      id: String(i + 1),
      title: p.title,
      description: p.description,
      priority: p.priority,
      dependencies: p.deps,
      subtasks: p.subtasks.map((title, j) => ({ n: j + 1, title, status: "pending" as TaskStatus })),
      status: "pending" as TaskStatus,
      agentId: null,
    }));
    this.#agents = AGENTS.map((a) => ({ ...a, status: "idle" as AgentStatus, taskId: null, detail: null }));
  }

  /** The whole project: sent at start, and again when the hub comes back (it may have lost its storage). */
  fullState(): HubEventInput[] {
    const atIso = this.#nextAtIso();
    return [
      this.#event("project.meta", { name: "Demo: checkout service", currentTag: "master" }, atIso),
      ...this.#tasks.flatMap((t) => [this.#upsert(t, atIso), this.#progress(t, atIso)]),
      ...this.#agents.map((a) => this.#status(a, atIso)),
    ];
  }

  /** One step of the simulation. */
  tick(): HubEventInput[] {
    const atIso = this.#nextAtIso();
    const out: HubEventInput[] = [];
    if (this.#tasks.every((t) => t.status === "done")) {
      if (++this.#idleTicks >= TICKS_BEFORE_NEW_SPRINT) out.push(...this.#newSprint(atIso));
      return out;
    }
    for (const agent of this.#shuffled(this.#agents)) out.push(...this.#step(agent, atIso));
    return out;
  }

  heartbeats(): HubEventInput[] {
    const atIso = this.#nextAtIso();
    return this.#agents.map((a) => this.#event("agent.heartbeat", { agentId: a.id }, atIso));
  }

  healthSamples(): HubEventInput[] {
    const atIso = this.#nextAtIso();
    const busy = this.#agents.filter((a) => a.status === "busy").length;
    const ready = this.readyCount();
    return DEMO_HEALTH_SOURCES.map((source, i) => {
      const target = 12 + busy * 22 + (i === 0 ? 8 : 0);
      const previous = this.#cpu.get(source) ?? 20;
      const cpu = clamp(previous + (target - previous) * 0.5 + (this.#random() - 0.5) * 12, 1, 99);
      this.#cpu.set(source, cpu);
      const totalBytes = 16 * GIB;
      const usedBytes = Math.round(totalBytes * clamp(0.35 + cpu / 250 + (this.#random() - 0.5) * 0.04, 0.05, 0.95));
      return this.#event("health.sample", { source, cpu: Math.round(cpu * 10) / 10, memory: { usedBytes, totalBytes }, queueDepth: i === 0 ? ready : Math.floor(ready / 2) }, atIso);
    });
  }

  /** Pending tasks whose dependencies are all done. */
  readyCount(): number {
    return this.#tasks.filter((t) => this.#isReady(t)).length;
  }

  #isReady(task: SimTask): boolean {
    return task.status === "pending" && task.agentId === null && task.dependencies.every((d) => this.#tasks.find((t) => t.id === d)?.status === "done");
  }

  #step(agent: SimAgent, atIso: string): HubEventInput[] {
    if (agent.status === "error") {
      const task = this.#tasks.find((t) => t.id === agent.taskId);
      Object.assign(agent, { status: "idle", taskId: null, detail: null });
      const out = [this.#status(agent, atIso)];
      if (task) {
        Object.assign(task, { status: "pending", agentId: null });
        out.push(this.#upsert(task, atIso));
      }
      return out;
    }
    const task = this.#tasks.find((t) => t.id === agent.taskId);
    if (!task) return this.#claim(agent, atIso);
    if (task.status === "review") {
      if (this.#random() >= P_REVIEW_PASSES) return [];
      Object.assign(task, { status: "done", agentId: null });
      Object.assign(agent, { status: "idle", taskId: null, detail: null });
      return [this.#upsert(task, atIso), this.#status(agent, atIso)];
    }
    if (this.#random() < P_AGENT_FAILS) {
      task.status = "blocked";
      Object.assign(agent, { status: "error", detail: `tests failed on task ${task.id}` });
      return [this.#upsert(task, atIso), this.#status(agent, atIso)];
    }
    const next = task.subtasks.find((s) => s.status !== "done");
    if (!next || this.#random() >= P_FINISH_SUBTASK) return [];
    next.status = "done";
    const left = task.subtasks.find((s) => s.status !== "done");
    if (left) {
      left.status = "in-progress";
      agent.detail = `working on ${task.id}.${left.n}: ${left.title}`;
    } else {
      task.status = "review";
      agent.detail = `task ${task.id} waits for review`;
    }
    return [this.#upsert(task, atIso), this.#progress(task, atIso), this.#status(agent, atIso)];
  }

  #claim(agent: SimAgent, atIso: string): HubEventInput[] {
    const task = this.#shuffled(this.#tasks.filter((t) => this.#isReady(t)))[0];
    if (!task) return agent.status === "idle" ? [] : [this.#status(Object.assign(agent, { status: "idle", taskId: null, detail: null }), atIso)];
    Object.assign(task, { status: "in-progress", agentId: agent.id });
    const first = task.subtasks.find((s) => s.status !== "done");
    if (first) first.status = "in-progress";
    Object.assign(agent, { status: "busy", taskId: task.id, detail: first ? `working on ${task.id}.${first.n}: ${first.title}` : `working on task ${task.id}` });
    return [this.#upsert(task, atIso), this.#status(agent, atIso)];
  }

  #newSprint(atIso: string): HubEventInput[] {
    this.#sprint++;
    this.#idleTicks = 0;
    for (const task of this.#tasks) {
      Object.assign(task, { status: "pending", agentId: null });
      for (const s of task.subtasks) s.status = "pending";
    }
    return [...this.#tasks.flatMap((t) => [this.#upsert(t, atIso), this.#progress(t, atIso)])];
  }

  #upsert(task: SimTask, atIso: string): HubEventInput {
    return this.#event(
      "task.upsert",
      {
        tag: "master",
        task: {
          id: task.id,
          title: task.title,
          description: `${task.description} (sprint ${this.#sprint})`,
          status: task.status,
          priority: task.priority,
          dependencies: [...task.dependencies],
          agentId: task.agentId,
          subtasks: task.subtasks.map((s) => ({ id: subtaskIdOf(task.id, s.n), title: s.title, status: s.status, dependencies: [] })),
        },
      },
      atIso,
    );
  }

  #progress(task: SimTask, atIso: string): HubEventInput {
    const done = task.subtasks.filter((s) => s.status === "done").length;
    const total = task.subtasks.length;
    return this.#event("task.progress", { tag: "master", taskId: task.id, percent: Math.round((done * 100) / total), message: `${done}/${total} subtasks done` }, atIso);
  }

  #status(agent: SimAgent, atIso: string): HubEventInput {
    return this.#event("agent.status", { agentId: agent.id, name: agent.name, status: agent.status, taskId: agent.taskId, ...(agent.detail ? { detail: agent.detail } : {}) }, atIso);
  }

  #event(type: HubEventInput["type"], data: Record<string, unknown>, atIso: string): HubEventInput {
    return { id: `demo-${this.#nowMs().toString(36)}-${(++this.#seq).toString(36)}-${Math.floor(this.#random() * 1e9).toString(36)}`, type, occurredAt: atIso, data } as HubEventInput;
  }

  /** A timestamp never earlier than the previous one, even if the clock steps back. */
  #nextAtIso(): string {
    this.#lastMs = Math.max(this.#nowMs(), this.#lastMs + 1);
    return new Date(this.#lastMs).toISOString();
  }

  #shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
