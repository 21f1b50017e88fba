/**
 * `reportAgentStatus`: one agent tells the dashboard what it is doing. For
 * agents working on Task Master tasks; the `agent` command wraps it.
 */
import { backoffDelayMs, type AgentStatus, type BackoffPolicy, type WebhookAccepted } from "../../../protocol/index.ts";
import { checkChannel, checkHubUrl, DEFAULT_HUB_URL } from "../config.ts";
import { channelKeyOf, senderCredential, type SenderKeyOptions } from "../sender-key.ts";
import { BRIDGE_BACKOFF } from "../delivery/delivery-loop.ts";
import { postEvents, type PostOutcome } from "../delivery/hub-poster.ts";
import { validateEvent } from "../delivery/validate.ts";
import { hubFromEnv } from "../project-config/env-defaults.ts";
import { agentStatusEvent } from "./agent-events.ts";

export interface ReportAgentStatusOptions extends SenderKeyOptions {
  readonly agentId: string;
  readonly status: AgentStatus;
  /** The task the agent works on, e.g. "5" or "5.2"; null clears it. */
  readonly taskId?: string | null;
  readonly name?: string;
  readonly detail?: string;
  readonly channel: string;
  /** Default: $TASKMASTER_LIVE_HUB, else http://127.0.0.1:8787 */
  readonly hub?: string;
  /** Tries while the hub is unreachable or busy (default 4). */
  readonly attempts?: number;
  /** Default BRIDGE_BACKOFF. */
  readonly backoff?: BackoffPolicy;
  readonly fetch?: typeof fetch;
}

export class AgentReportError extends Error {
  constructor(message: string, readonly outcome: PostOutcome | null) {
    super(message);
    this.name = "AgentReportError";
  }
}

/**
 * Sends one `agent.status` event; resolves with the hub's answer, or throws
 * AgentReportError saying why (bad key, invalid id, hub unreachable).
 *
 * @example
 * await reportAgentStatus({ channel: "my-app", agentId: "coder-1", status: "busy", taskId: "5.2" });
 */
export async function reportAgentStatus(options: ReportAgentStatusOptions): Promise<WebhookAccepted> {
  const channel = checkChannel(options.channel);
  const target = {
    hub: checkHubUrl(options.hub ?? hubFromEnv() ?? DEFAULT_HUB_URL),
    channel,
    key: channelKeyOf(senderCredential(options), channel),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const checked = validateEvent(
    agentStatusEvent({
      agentId: options.agentId,
      status: options.status,
      ...(options.taskId !== undefined ? { taskId: options.taskId } : {}),
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.detail !== undefined ? { detail: options.detail } : {}),
    }),
  );
  if (!checked.ok) throw new AgentReportError(`the status report is not valid: ${checked.message}`, null);
  const attempts = Math.max(1, options.attempts ?? 4);
  let last: PostOutcome | null = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // Same event (same id) on every try: a retry after a lost answer is a duplicate, not a second report.
    last = await postEvents(target, [checked.event]);
    if (last.kind === "accepted") return last.result;
    if (last.kind !== "unreachable" && last.kind !== "retry") break;
    if (attempt < attempts) await new Promise((r) => setTimeout(r, backoffDelayMs(attempt, options.backoff ?? BRIDGE_BACKOFF)));
  }
  throw new AgentReportError(describe(last!, target.hub), last);
}

function describe(outcome: PostOutcome, hub: string): string {
  switch (outcome.kind) {
    case "unreachable":
      return `the hub ${hub} is unreachable (${outcome.message})`;
    case "retry":
      return `the hub ${hub} answered ${outcome.message}`;
    case "unauthorized":
    case "unconfigured":
    case "misdirected":
      return outcome.message;
    case "rejected":
      return `the hub refused the report: ${outcome.status} ${outcome.code}: ${outcome.message}`;
    case "accepted":
      return "accepted";
  }
}
