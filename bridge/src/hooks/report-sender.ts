/**
 * Sends one agent report the quick way: directly, when the hub answers
 * within the deadline and nothing older waits; otherwise into the project's
 * report queue, which the next call or a running bridge delivers in order.
 */
import { join } from "node:path";
import type { HubEvent } from "../../../protocol/index.ts";
import { DiskDeadLetters } from "../outbox/disk-outbox.ts";
import { signingKey, type AgentTarget } from "./agent-target.ts";
import { deadline, postOverHttp } from "./http-post.ts";
import { ReportQueue, type Post } from "./report-queue.ts";

/** A hook runs on every tool use: this is all the time it waits for the hub. */
export const REPORT_DEADLINE_MS = 400;

export type SendOutcome =
  /** The hub stored it (and everything queued before it). */
  | { readonly kind: "delivered" }
  /** Waiting in the queue: the hub did not answer in time, or another process is delivering, or there is no secret here. */
  | { readonly kind: "queued"; readonly reason: string }
  /** The hub refused it for good (it is in the dead letters). */
  | { readonly kind: "refused"; readonly reason: string };

export function reportQueueOf(target: AgentTarget): ReportQueue {
  return new ReportQueue(target.stateDir, new DiskDeadLetters(join(target.stateDir, "dead-letter.jsonl")));
}

export async function posterFor(target: AgentTarget): Promise<Post | null> {
  const secret = await signingKey(target);
  if (secret === null) return null;
  const hubTarget = { hub: target.hub, channel: target.channel, secret };
  return (events, signal) => postOverHttp(hubTarget, events, signal ?? AbortSignal.timeout(REPORT_DEADLINE_MS));
}

export async function sendReport(target: AgentTarget, event: HubEvent, options: { deadlineMs?: number } = {}): Promise<SendOutcome> {
  const limit = deadline(options.deadlineMs ?? REPORT_DEADLINE_MS);
  try {
    return await sendWithin(target, event, limit.signal);
  } finally {
    limit.dispose();
  }
}

async function sendWithin(target: AgentTarget, event: HubEvent, signal: AbortSignal): Promise<SendOutcome> {
  const queue = reportQueueOf(target);
  const post = await posterFor(target);
  if (!post) {
    await queue.append(event);
    return { kind: "queued", reason: "no secret here (set TASKMASTER_LIVE_KEY or WEBHOOK_SECRET, or secretFile in the project config): a running bridge sends it" };
  }
  const outcome = await queue.exclusively(async (): Promise<SendOutcome> => {
    if ((await queue.names()).length === 0) {
      const posted = await post([event], signal);
      if (posted.kind === "accepted") return { kind: "delivered" };
      if (posted.kind === "rejected") {
        await new DiskDeadLetters(join(target.stateDir, "dead-letter.jsonl")).add(event, `the hub refused the report: ${posted.status} ${posted.code}: ${posted.message}`);
        return { kind: "refused", reason: `${posted.status} ${posted.code}: ${posted.message}` };
      }
      await queue.append(event);
      return { kind: "queued", reason: posted.message };
    }
    await queue.append(event);
    const drained = await queue.drain(post, signal);
    return drained.left === 0 ? { kind: "delivered" } : { kind: "queued", reason: drained.stoppedBy && "message" in drained.stoppedBy ? drained.stoppedBy.message : "the deadline passed" };
  });
  if (outcome) return outcome;
  await queue.append(event);
  return { kind: "queued", reason: "another process is delivering the queue" };
}

/** Delivers what waits in the queue (the `hook flush` command, and the bridge). */
export async function flushReports(target: AgentTarget, options: { timeoutMs: number }): Promise<{ delivered: number; left: number; problem: string | null }> {
  const queue = reportQueueOf(target);
  const post = await posterFor(target);
  if (!post) return { delivered: 0, left: (await queue.names()).length, problem: "no secret: set TASKMASTER_LIVE_KEY or WEBHOOK_SECRET" };
  const limit = deadline(options.timeoutMs);
  const result = await queue.exclusively(() => queue.drain(post, limit.signal)).finally(() => limit.dispose());
  if (!result) return { delivered: 0, left: (await queue.names()).length, problem: "another process is delivering the queue" };
  const problem = result.stoppedBy && "message" in result.stoppedBy ? result.stoppedBy.message : null;
  return { delivered: result.delivered, left: result.left, problem };
}
