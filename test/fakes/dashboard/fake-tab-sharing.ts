/**
 * Web Locks and BroadcastChannel for several "tabs" of one fake browser.
 * Like the browser's: a lock has one holder and a FIFO queue, an abort before
 * the grant rejects, a closed tab's locks are released; messages are
 * structured-cloned and delivered later (a microtask), in order, to every
 * other open port of the same name.
 */
import type { TabMessage, TabPort, TabSharing } from "../../../dashboard/src/lib/live/index.ts";

interface LockRequest {
  readonly tab: FakeTab;
  readonly grant: () => void;
}

interface Port {
  readonly tab: FakeTab;
  readonly name: string;
  readonly receive: (data: unknown) => void;
  open: boolean;
}

export class FakeBrowser {
  readonly #holders = new Map<string, LockRequest>();
  readonly #queues = new Map<string, LockRequest[]>();
  readonly #ports: Port[] = [];
  /** Every message posted, in order (for assertions). */
  readonly posted: TabMessage[] = [];
  /** Drops the next message of this type instead of delivering it (a lost relay, to provoke a gap). */
  dropNext: TabMessage["type"] | null = null;

  tab(): FakeTab {
    return new FakeTab(this);
  }

  holderOf(name: string): FakeTab | null {
    return this.#holders.get(name)?.tab ?? null;
  }

  request(tab: FakeTab, name: string, signal: AbortSignal, holder: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const request: LockRequest = {
        tab,
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          holder().finally(() => {
            this.release(name, request);
            resolve();
          });
        },
      };
      const onAbort = () => {
        const queue = this.#queues.get(name) ?? [];
        if (!queue.includes(request)) return;
        this.#queues.set(name, queue.filter((r) => r !== request));
        reject(new DOMException("the request was aborted", "AbortError"));
      };
      signal.addEventListener("abort", onAbort);
      this.#queues.set(name, [...(this.#queues.get(name) ?? []), request]);
      this.#grantNext(name);
    });
  }

  release(name: string, request: LockRequest): void {
    if (this.#holders.get(name) !== request) return;
    this.#holders.delete(name);
    this.#grantNext(name);
  }

  open(tab: FakeTab, name: string, receive: (data: unknown) => void): TabPort {
    const port: Port = { tab, name, receive, open: true };
    this.#ports.push(port);
    return {
      post: (message) => this.#post(port, message),
      close: () => {
        port.open = false;
      },
    };
  }

  /** The tab is gone (closed, crashed): its ports close and its locks go to the next in line, as the browser does. */
  closeTab(tab: FakeTab): void {
    for (const port of this.#ports) if (port.tab === tab) port.open = false;
    for (const [name, queue] of this.#queues) this.#queues.set(name, queue.filter((r) => r.tab !== tab));
    for (const [name, request] of [...this.#holders]) if (request.tab === tab) this.release(name, request);
  }

  #grantNext(name: string): void {
    if (this.#holders.has(name)) return;
    const [next, ...rest] = this.#queues.get(name) ?? [];
    if (!next) return;
    this.#queues.set(name, rest);
    this.#holders.set(name, next);
    // The browser grants asynchronously.
    queueMicrotask(next.grant);
  }

  #post(from: Port, message: TabMessage): void {
    if (!from.open) throw new Error("posting on a closed BroadcastChannel");
    this.posted.push(message);
    if (this.dropNext === message.type) {
      this.dropNext = null;
      return;
    }
    const data = structuredClone(message);
    for (const port of this.#ports) {
      if (port === from || port.name !== from.name) continue;
      queueMicrotask(() => {
        if (port.open) port.receive(structuredClone(data));
      });
    }
  }
}

export class FakeTab {
  readonly sharing: TabSharing;

  constructor(readonly browser: FakeBrowser) {
    this.sharing = {
      locks: { request: (name, options, holder) => browser.request(this, name, options.signal, holder) },
      open: (name, receive) => browser.open(this, name, receive),
    };
  }

  close(): void {
    this.browser.closeTab(this);
  }
}
