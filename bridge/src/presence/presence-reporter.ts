/**
 * What Task Master does not know: that the bridge is alive (`agent.heartbeat`)
 * and how the host is doing (`health.sample`: CPU, memory, ready tasks).
 * These are live readings, not changes: one that cannot be sent now is
 * dropped, never queued, so a down hub does not fill the outbox with them.
 */
import { randomUUID } from "node:crypto";
import type { HubEventInput } from "../../../protocol/index.ts";
import { CpuSampler, memoryInUse } from "./host-health.ts";

export interface PresenceOptions {
  readonly agentId: string;
  /** The health source key (the host). */
  readonly source: string;
  /** 0 turns heartbeats off. */
  readonly heartbeatIntervalMs: number;
  /** 0 turns health samples off. */
  readonly healthIntervalMs: number;
  readonly queueDepth: () => number;
  /** Sends now or drops; never throws. */
  readonly sendLive: (events: HubEventInput[]) => Promise<void>;
}

function heartbeatEvent(agentId: string, now = new Date()): HubEventInput {
  return { id: `hb-${randomUUID()}`, type: "agent.heartbeat", occurredAt: now.toISOString(), data: { agentId } };
}

function healthEvent(source: string, sample: { cpu?: number; memory?: { usedBytes: number; totalBytes: number }; queueDepth?: number }, now = new Date()): HubEventInput {
  return { id: `hs-${randomUUID()}`, type: "health.sample", occurredAt: now.toISOString(), data: { source, ...sample } };
}

export class PresenceReporter {
  readonly #o: PresenceOptions;
  readonly #cpu = new CpuSampler();
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(options: PresenceOptions) {
    this.#o = options;
  }

  start(): void {
    const { heartbeatIntervalMs, healthIntervalMs } = this.#o;
    if (heartbeatIntervalMs > 0) this.#timers.push(setInterval(() => void this.#o.sendLive([heartbeatEvent(this.#o.agentId)]), heartbeatIntervalMs));
    if (healthIntervalMs > 0) this.#timers.push(setInterval(() => void this.#o.sendLive([this.healthSample()]), healthIntervalMs));
  }

  stop(): void {
    for (const t of this.#timers.splice(0)) clearInterval(t);
  }

  healthSample(): HubEventInput {
    const cpu = this.#cpu.sample();
    return healthEvent(this.#o.source, { ...(cpu !== undefined ? { cpu } : {}), memory: memoryInUse(), queueDepth: this.#o.queueDepth() });
  }
}
