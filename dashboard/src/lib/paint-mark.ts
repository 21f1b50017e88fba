/**
 * Performance marks the dashboard sets for measurements (the load browser
 * test reads them with `performance.getEntriesByName`).
 */

/** Set once, when the first channel state reaches the page, before it is rendered: painted − received is the rendering's share. */
export const STATE_RECEIVED_MARK = "taskmaster-live:state-received";

/** Set once, after the frame that first paints a channel state (the snapshot on a first visit, the cached state otherwise). */
export const STATE_PAINTED_MARK = "taskmaster-live:state-painted";

/** Marks `name` right after the next paint: rAF runs before a frame is painted, and a message posted from it is handled after. */
export function markAfterNextPaint(name: string): void {
  requestAnimationFrame(() => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      performance.mark(name);
      port1.close();
    };
    port2.postMessage(null);
  });
}
