/** A LiveChannel wired to fakes: socket, hub, clock, frames, tickets, cache. */
import type { Change } from "../../../protocol/index.ts";
import { LiveChannel, memoryStateCache, noPageEvents, type LiveTuning, type PageEvents, type StateCache } from "../../../dashboard/src/lib/live/index.ts";
import { FakeClock, settle } from "../../fakes/dashboard/fake-clock.ts";
import { FakeHub } from "../../fakes/dashboard/fake-hub.ts";
import { FakeSocketConnector, type FakeSocket } from "../../fakes/dashboard/fake-socket.ts";
import { FakeTickets } from "../../fakes/dashboard/fake-tickets.ts";
import { ManualFrames } from "../../fakes/dashboard/manual-frames.ts";

export const BASE_URL = "http://127.0.0.1:9999";
export const CHANNEL = "demo";

export interface HarnessOptions {
  cache?: StateCache;
  random?: () => number;
  tuning?: Partial<LiveTuning>;
  page?: PageEvents;
}

export function makeHarness(options: HarnessOptions = {}) {
  const clock = new FakeClock();
  const connector = new FakeSocketConnector();
  const hub = new FakeHub(CHANNEL);
  const tickets = new FakeTickets();
  const frames = new ManualFrames();
  const cache = options.cache ?? memoryStateCache();
  const live = new LiveChannel({
    baseUrl: BASE_URL,
    channel: CHANNEL,
    tickets,
    cache,
    connector,
    fetch: hub.fetch,
    clock,
    scheduleFrame: frames.schedule,
    random: options.random ?? (() => 0.5),
    page: options.page ?? noPageEvents,
    ...(options.tuning ? { tuning: options.tuning } : {}),
  });
  /** Waits until the newest socket attempt has resolved its query, and returns it. */
  const nextSocket = async (): Promise<FakeSocket> => {
    await settle();
    const socket = connector.last;
    if (socket.state !== "connecting") throw new Error(`the newest socket is ${socket.state}, expected connecting`);
    return socket;
  };
  return { clock, connector, hub, tickets, frames, cache, live, nextSocket };
}

export type Harness = ReturnType<typeof makeHarness>;

/** Starts and connects through the hub, and renders the handshake's frame (which lets the first ping go); returns the live socket. */
export async function startLive(h: Harness): Promise<FakeSocket> {
  h.live.start();
  const socket = await h.nextSocket();
  h.hub.accept(socket);
  renderFrame(h);
  return socket;
}

/** One animation frame, then the task after it: what the first ping after a handshake waits for. */
export function renderFrame(h: Harness): void {
  h.frames.flush();
  h.clock.advance(0);
}

let nextAgent = 0;
/** A change that sets a new agent, so each delta is distinguishable. */
export function agentSet(id = `agent-${++nextAgent}`, status: "online" | "busy" | "idle" = "online"): Change {
  return { kind: "agent", op: "set", key: id, value: { id, status, taskId: null, detail: null, lastSeenAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z" } };
}

export function agentPatch(id: string, status: "online" | "busy" | "idle" | "error"): Change {
  return { kind: "agent", op: "patch", key: id, value: { status } };
}
