/**
 * A TCP proxy between viewers and the hub that can make a connection
 * half-open: `stall` stops reading what the hub sends, without closing
 * anything, so the hub keeps writing into a socket nobody reads (a frozen
 * tab, a NAT that lost the flow, a suspended laptop). Then either `resume`
 * (the backlog arrives late, in one burst) or `drop`: the viewer's side is
 * reset, so the client reconnects, while the hub's side stays open and
 * unread for a while longer — a zombie the hub still holds.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

interface Link {
  readonly id: number;
  readonly client: Socket;
  readonly upstream: Socket;
  stalled: boolean;
}

export class StallProxy {
  readonly #links = new Map<number, Link>();
  readonly #zombies = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #server: Server;
  #nextId = 1;

  private constructor(
    server: Server,
    readonly port: number,
  ) {
    this.#server = server;
  }

  /** Listens on a free loopback port; every connection is forwarded to `targetPort`. */
  static async start(targetPort: number): Promise<StallProxy> {
    let proxy: StallProxy | null = null;
    // Nothing connects before the port is known, so `proxy` is set by the time a client arrives.
    const server = createServer((client) => (proxy ? proxy.#accept(client, targetPort) : client.destroy()));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (typeof address !== "object" || !address) throw new Error("the stall proxy has no port");
    proxy = new StallProxy(server, address.port);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  #accept(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, "127.0.0.1");
    const link: Link = { id: this.#nextId++, client, upstream, stalled: false };
    this.#links.set(link.id, link);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      this.#links.delete(link.id);
      client.destroy();
      if (!this.#zombies.has(upstream)) upstream.destroy();
    };
    // A runtime killed or restarted resets the hub's side: the viewer sees its connection drop.
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  }

  /** Open connections that are neither stalled nor dropped. */
  get flowing(): number[] {
    return [...this.#links.values()].filter((l) => !l.stalled).map((l) => l.id);
  }

  get stalled(): number[] {
    return [...this.#links.values()].filter((l) => l.stalled).map((l) => l.id);
  }

  /** Stops reading from the hub on this connection; nothing is closed. */
  stall(id: number): boolean {
    const link = this.#links.get(id);
    if (!link || link.stalled) return false;
    link.stalled = true;
    link.upstream.unpipe(link.client);
    link.upstream.pause();
    return true;
  }

  /** Delivers the backlog and flows again. */
  resume(id: number): boolean {
    const link = this.#links.get(id);
    if (!link?.stalled) return false;
    link.stalled = false;
    link.upstream.pipe(link.client);
    link.upstream.resume();
    return true;
  }

  /** Resets the viewer's side now; the hub's side stays open and unread for `zombieMs`, then is closed. */
  drop(id: number, zombieMs: number): boolean {
    const link = this.#links.get(id);
    if (!link) return false;
    this.#links.delete(id);
    const { upstream } = link;
    upstream.unpipe(link.client);
    upstream.pause();
    this.#zombies.add(upstream);
    link.client.resetAndDestroy();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#zombies.delete(upstream);
      upstream.destroy();
    }, zombieMs);
    this.#timers.add(timer);
    return true;
  }

  /** Resumes every stalled connection (the end of the chaos). */
  resumeAll(): void {
    for (const id of this.stalled) this.resume(id);
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const zombie of this.#zombies) zombie.destroy();
    this.#zombies.clear();
    for (const link of this.#links.values()) {
      link.client.destroy();
      link.upstream.destroy();
    }
    this.#links.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
