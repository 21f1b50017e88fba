/**
 * Paces the UI's re-renders under a busy feed. A page rendering a big
 * channel 20 times a second spends most of its main thread on style, layout
 * and paint; 10 times a second halves that and leaves room for input.
 * Sparse updates must not wait, though: a token bucket lets up to
 * RENDER_BURST renders through at once (an agent's status, then its task's
 * progress a few ms later, each renders at once), and a steady feed renders
 * once per RENDER_INTERVAL_MS. The last change always lands.
 */
import type { Cancel, Clock } from "./types.ts";

/** How often a busy feed re-renders the live view at most, once its burst is spent. */
export const RENDER_INTERVAL_MS = 100;
/** Renders let through at once after a quiet spell. */
export const RENDER_BURST = 2;

export interface RenderPacer {
  /** Something changed: render now, or as soon as the pace allows. */
  changed(): void;
  /** Drops a pending render (the view is going away). */
  cancel(): void;
}

export function renderPacer(render: () => void, clock: Clock, intervalMs = RENDER_INTERVAL_MS, burst = RENDER_BURST): RenderPacer {
  // One token per render; a token comes back every intervalMs, up to `burst`.
  let tokens = burst;
  let refilledAtMs = clock.now();
  let pending: Cancel | null = null;
  const refill = () => {
    const now = clock.now();
    tokens = Math.min(burst, tokens + (now - refilledAtMs) / intervalMs);
    refilledAtMs = now;
  };
  const renderNow = () => {
    pending = null;
    refill();
    tokens = Math.max(0, tokens - 1);
    render();
  };
  return {
    changed() {
      if (pending) return;
      refill();
      if (tokens >= 1) renderNow();
      else pending = clock.schedule(renderNow, Math.ceil((1 - tokens) * intervalMs));
    },
    cancel() {
      pending?.();
      pending = null;
    },
  };
}
