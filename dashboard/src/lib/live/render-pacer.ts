/**
 * Paces the UI's re-renders under a busy feed. The first change after a
 * quiet spell renders at once (one frame, as before); while changes keep
 * coming, they render at most once per interval, and the last always lands.
 * A page rendering a big channel 20 times a second spends most of its main
 * thread on style, layout and paint; 10 times a second halves that and
 * leaves room for input, at a cost of at most one interval of delay.
 */
import type { Cancel, Clock } from "./types.ts";

/** How often a busy feed re-renders the live view at most. */
export const RENDER_INTERVAL_MS = 100;

export interface RenderPacer {
  /** Something changed: render now, or once the interval since the last render is over. */
  changed(): void;
  /** Drops a pending render (the view is going away). */
  cancel(): void;
}

export function renderPacer(render: () => void, clock: Clock, intervalMs = RENDER_INTERVAL_MS): RenderPacer {
  let lastRenderMs = Number.NEGATIVE_INFINITY;
  let pending: Cancel | null = null;
  const renderNow = () => {
    pending = null;
    lastRenderMs = clock.now();
    render();
  };
  return {
    changed() {
      if (pending) return;
      const waitMs = lastRenderMs + intervalMs - clock.now();
      if (waitMs <= 0) renderNow();
      else pending = clock.schedule(renderNow, waitMs);
    },
    cancel() {
      pending?.();
      pending = null;
    },
  };
}
