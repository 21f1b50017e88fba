/**
 * The browser's side of sharing one connection between the tabs of a
 * channel: Web Locks elect the leader, a BroadcastChannel carries the
 * messages (tab-messages.ts). Behind two small seams so unit tests run on
 * fakes; null where the browser has neither (each tab then connects alone).
 */
import type { TabMessage } from "./tab-messages.ts";

export interface TabLocks {
  /**
   * Waits for the exclusive lock `name`, then holds it until `holder`'s
   * promise settles (or the tab goes away). An abort before the grant rejects.
   */
  request(name: string, options: { readonly signal: AbortSignal }, holder: () => Promise<void>): Promise<unknown>;
}

export interface TabPort {
  /** To every other tab listening on the same name (never to this one). */
  post(message: TabMessage): void;
  close(): void;
}

export interface TabSharing {
  readonly locks: TabLocks;
  /** `receive` gets what other tabs post; the data is untrusted until parsed. */
  open(name: string, receive: (data: unknown) => void): TabPort;
}

/** Lock and BroadcastChannel name of a channel's shared connection. */
export function tabSharingName(channel: string): string {
  return `taskmaster-live:channel:${channel}`;
}

interface BrowserLocks {
  request(name: string, options: { signal: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

/** navigator.locks and BroadcastChannel, or null when either is missing (old browsers, insecure origins). */
export function browserTabSharing(): TabSharing | null {
  const locks = (globalThis as { navigator?: { locks?: BrowserLocks } }).navigator?.locks;
  if (!locks || typeof locks.request !== "function" || typeof globalThis.BroadcastChannel !== "function") return null;
  return {
    locks: { request: (name, options, holder) => locks.request(name, { signal: options.signal }, () => holder()) },
    open(name, receive) {
      const port = new BroadcastChannel(name);
      port.onmessage = (event: MessageEvent<unknown>) => receive(event.data);
      return {
        post: (message) => port.postMessage(message),
        close: () => port.close(),
      };
    },
  };
}
