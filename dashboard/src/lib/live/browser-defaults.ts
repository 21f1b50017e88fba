/**
 * The real I/O behind LiveChannel's seams, looked up when a LiveChannel is
 * built (never at import time), so the module loads in Node and in SSR.
 */
import type { Cancel, Clock, FrameScheduler, PageEvents } from "./types.ts";

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(callback, delayMs) {
    const id = setTimeout(callback, delayMs);
    return () => clearTimeout(id);
  },
};

/** requestAnimationFrame where there is one; otherwise about 60 per second. */
export function defaultFrameScheduler(): FrameScheduler {
  if (typeof globalThis.requestAnimationFrame === "function") return (callback) => void globalThis.requestAnimationFrame(() => callback());
  return (callback) => void setTimeout(callback, 16);
}

const noop: Cancel = () => {};

export function browserPageEvents(): PageEvents {
  const win = typeof window === "undefined" ? null : window;
  const doc = typeof document === "undefined" ? null : document;
  return {
    onHide(callback) {
      if (!win) return noop;
      const onVisibility = () => {
        if (doc?.visibilityState === "hidden") callback();
      };
      win.addEventListener("pagehide", callback);
      doc?.addEventListener("visibilitychange", onVisibility);
      return () => {
        win.removeEventListener("pagehide", callback);
        doc?.removeEventListener("visibilitychange", onVisibility);
      };
    },
    onOnline(callback) {
      if (!win) return noop;
      win.addEventListener("online", callback);
      return () => win.removeEventListener("online", callback);
    },
  };
}

/** For environments without page events (tests, workers). */
export const noPageEvents: PageEvents = { onHide: () => noop, onOnline: () => noop };
