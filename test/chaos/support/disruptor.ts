/**
 * The chaos: one random disruption per step, of the viewers (a blip, an
 * outage, a half-open socket), of a channel's Durable Object (an eviction,
 * keeping or closing its sockets), or of the whole runtime (SIGKILL, then a
 * restart on the same storage). Whatever a step leaves pending (a stalled
 * socket to resume, a viewer to bring back) runs later on a timer, or at
 * once when the chaos stops (`settle`).
 */
import type { EvictedSockets, MiniflareHub } from "../../../dev/miniflare-hub.ts";
import type { TestViewer } from "../../e2e/support/test-viewer.ts";
import type { StallProxy } from "./stall-proxy.ts";

export interface DisruptionCounts {
  /** Clean close and immediate reconnect. */
  blips: number;
  /** Closed, back after a pause. */
  outages: number;
  /** Stalled sockets (the hub keeps writing, nobody reads) … */
  halfOpens: number;
  /** … of which the viewer caught up when reading again … */
  halfOpenResumed: number;
  /** … or whose viewer side was reset while the hub's side stayed open. */
  halfOpenDropped: number;
  evictionsHibernate: number;
  evictionsClose: number;
  kills: number;
}

type Rand = () => number;

export class Disruptor {
  readonly counts: DisruptionCounts = { blips: 0, outages: 0, halfOpens: 0, halfOpenResumed: 0, halfOpenDropped: 0, evictionsHibernate: 0, evictionsClose: 0, kills: 0 };
  readonly #pending = new Map<NodeJS.Timeout, () => void>();

  constructor(
    readonly hub: MiniflareHub,
    readonly proxy: StallProxy,
    readonly viewers: readonly TestViewer[],
    readonly channels: readonly string[],
    readonly rand: Rand,
  ) {}

  get evictions(): number {
    return this.counts.evictionsHibernate + this.counts.evictionsClose;
  }

  /** Runs `action` after `delayMs`, or when settle() is called, whichever is first. */
  #later(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      action();
    }, delayMs);
    this.#pending.set(timer, action);
  }

  #randomViewer(): TestViewer {
    return this.viewers[Math.floor(this.rand() * this.viewers.length)]!;
  }

  async step(): Promise<void> {
    const pick = this.rand();
    if (pick < 0.25) this.blip();
    else if (pick < 0.4) this.outage();
    else if (pick < 0.75) this.halfOpen();
    else await this.evict();
  }

  blip(): void {
    this.#randomViewer().socket.reconnect(4000, "chaos blip");
    this.counts.blips++;
  }

  outage(): void {
    const viewer = this.#randomViewer();
    viewer.socket.close(4000, "chaos outage");
    this.counts.outages++;
    this.#later(200 + this.rand() * 1500, () => viewer.socket.reconnect());
  }

  /** Stalls a flowing connection for 0.3–3 s, then resumes it or resets the viewer's side (the hub's stays open 1–8 s more). */
  halfOpen(): void {
    const flowing = this.proxy.flowing;
    if (flowing.length === 0) return;
    const id = flowing[Math.floor(this.rand() * flowing.length)]!;
    if (!this.proxy.stall(id)) return;
    this.counts.halfOpens++;
    const drop = this.rand() < 0.5;
    const zombieMs = 1000 + this.rand() * 7000;
    this.#later(300 + this.rand() * 2700, () => {
      if (drop ? this.proxy.drop(id, zombieMs) : this.proxy.resume(id)) {
        if (drop) this.counts.halfOpenDropped++;
        else this.counts.halfOpenResumed++;
      }
    });
  }

  async evict(channel = this.channels[Math.floor(this.rand() * this.channels.length)]!): Promise<void> {
    if (!this.hub.running) return;
    const webSockets: EvictedSockets = this.rand() < 0.5 ? "hibernate" : "close";
    if (!(await this.hub.evict(channel, webSockets))) return;
    if (webSockets === "hibernate") this.counts.evictionsHibernate++;
    else this.counts.evictionsClose++;
  }

  /** SIGKILL, down for `downMs` (senders and viewers keep retrying), then a restart on the same storage. */
  async killAndRestart(downMs: number): Promise<void> {
    await this.hub.kill();
    this.counts.kills++;
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.hub.restart();
  }

  /** Ends the chaos: every pending recovery runs now. */
  settle(): void {
    const actions = [...this.#pending.values()];
    for (const timer of this.#pending.keys()) clearTimeout(timer);
    this.#pending.clear();
    for (const action of actions) action();
    this.proxy.resumeAll();
  }
}
