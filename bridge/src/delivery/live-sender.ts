/**
 * Live readings (heartbeats, health samples) skip the outbox: they are sent
 * only when nothing is queued, so they neither overtake the backlog (a
 * heartbeat dated after a queued status would make that status stale) nor
 * pile up behind it while the hub is down. One that cannot go now is dropped.
 */
import type { HubEventInput } from "../../../protocol/index.ts";
import type { Logger } from "../log.ts";
import type { Outbox } from "../outbox/outbox.ts";
import type { DeliveryLoop } from "./delivery-loop.ts";
import { postEvents, type HubTarget } from "./hub-poster.ts";
import { validateEvent } from "./validate.ts";

export function liveSender(target: HubTarget, outbox: Outbox, delivery: DeliveryLoop, log: Logger): (inputs: HubEventInput[]) => Promise<void> {
  return async (inputs) => {
    if (outbox.size > 0 || !delivery.idle) return;
    const events = inputs.map(validateEvent).flatMap((c) => (c.ok ? [c.event] : []));
    if (events.length === 0) return;
    try {
      const outcome = await postEvents(target, events);
      if (outcome.kind !== "accepted") log.debug(`live reading not sent: ${outcome.kind}`);
    } catch {
      // never let a reading break anything
    }
  };
}
