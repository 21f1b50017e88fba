/**
 * Drives the simulated project into a hub until stopped. Changes go through
 * an in-memory outbox and the same delivery loop as the bridge (so a hub
 * restart is ridden out with backoff); the simulation pauses while anything
 * is queued, so a down hub does not pile up a backlog. When the hub answers
 * again, the whole state is sent once more, in case it lost its storage.
 */
import { checkChannel, checkHubUrl, DEFAULT_HUB_URL, DEMO_CHANNEL } from "../config.ts";
import { channelKeyOf, senderCredential, type SenderKeyOptions } from "../sender-key.ts";
import { DeliveryLoop } from "../delivery/delivery-loop.ts";
import { postEvents, type HubTarget } from "../delivery/hub-poster.ts";
import { liveSender } from "../delivery/live-sender.ts";
import { validateEvent } from "../delivery/validate.ts";
import { consoleLogger, type Logger } from "../log.ts";
import { MemoryDeadLetters, MemoryOutbox } from "../outbox/memory-outbox.ts";
import type { BackoffPolicy, HubEvent, HubEventInput } from "../../../protocol/index.ts";
import { DemoProject } from "./demo-project.ts";

export interface DemoFeedOptions extends SenderKeyOptions {
  readonly hub?: string;
  /** Default "demo". */
  readonly channel?: string;
  /** One simulation step every … (default 1.5 s). */
  readonly tickMs?: number;
  /** Health samples every … (default 2 s). */
  readonly healthIntervalMs?: number;
  /** Agent heartbeats every … (default 5 s). */
  readonly heartbeatIntervalMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly log?: Logger;
}

export interface DemoFeed {
  readonly channel: string;
  stop(): Promise<void>;
}

export const DEFAULT_DEMO_TICK_MS = 1500;
export const DEFAULT_DEMO_HEALTH_INTERVAL_MS = 2000;
const DEFAULT_DEMO_HEARTBEAT_INTERVAL_MS = 5000;

export function startDemoFeed(options: DemoFeedOptions = {}): DemoFeed {
  const channel = checkChannel(options.channel ?? DEMO_CHANNEL);
  const target: HubTarget = { hub: checkHubUrl(options.hub ?? DEFAULT_HUB_URL), channel, key: channelKeyOf(senderCredential(options), channel) };
  const log = options.log ?? consoleLogger({ prefix: "[taskmaster-live demo]" });
  const project = new DemoProject(options.random ? { random: options.random } : {});
  const outbox = new MemoryOutbox();
  const deadLetters = new MemoryDeadLetters();

  const queue = (inputs: HubEventInput[]) => {
    const events: HubEvent[] = [];
    for (const input of inputs) {
      const checked = validateEvent(input);
      if (checked.ok) events.push(checked.event);
      else log.error(`demo event ${input.type} is invalid (${checked.message}); skipped`);
    }
    void outbox.append(events).then(() => delivery.notify());
  };

  const delivery: DeliveryLoop = new DeliveryLoop({
    outbox,
    post: (events, signal) => postEvents(target, events, signal),
    deadLetters,
    log,
    hubLabel: `${target.hub} (channel ${channel})`,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    onRecovered: () => queue(project.fullState()),
  });
  const sendLive = liveSender(target, outbox, delivery, log);

  queue(project.fullState());
  delivery.start();
  log.info(`feeding a simulated project to ${target.hub} on channel "${channel}"`);

  const timers = [
    setInterval(() => {
      if (outbox.size === 0 && delivery.idle) queue(project.tick());
    }, options.tickMs ?? DEFAULT_DEMO_TICK_MS),
    setInterval(() => void sendLive(project.healthSamples()), options.healthIntervalMs ?? DEFAULT_DEMO_HEALTH_INTERVAL_MS),
    setInterval(() => void sendLive(project.heartbeats()), options.heartbeatIntervalMs ?? DEFAULT_DEMO_HEARTBEAT_INTERVAL_MS),
  ];

  return {
    channel,
    async stop() {
      for (const t of timers) clearInterval(t);
      await delivery.stop();
    },
  };
}
