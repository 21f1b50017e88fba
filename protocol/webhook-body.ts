/** Parsing of a webhook body: one event, or `{ "events": [ ... ] }`. */
import * as v from "valibot";
import type { EventIssue } from "./errors.ts";
import { EventSchema, type HubEvent } from "./events.ts";
import { MAX_EVENTS_PER_BATCH, MAX_TIMESTAMP_SKEW_SECONDS } from "./limits.ts";

type WebhookParse =
  | { readonly ok: true; readonly events: HubEvent[] }
  | { readonly ok: false; readonly message: string; readonly issues: EventIssue[] };

/** Most issues listed in one `invalid_event` answer. */
export const MAX_ISSUES_REPORTED = 50;

/** Validates an already JSON-parsed body. All or nothing: any issue rejects the batch. */
export function parseWebhookBody(body: unknown): WebhookParse {
  const isBatch = typeof body === "object" && body !== null && !Array.isArray(body) && "events" in body;
  if (!isBatch) {
    const one = validateEvent(body, 0);
    return one.ok ? { ok: true, events: [one.event] } : { ok: false, message: "the event does not match the schema", issues: one.issues };
  }
  const list = (body as { events: unknown }).events;
  if (!Array.isArray(list)) {
    return { ok: false, message: "`events` must be an array", issues: [{ index: 0, path: "events", message: "must be an array" }] };
  }
  if (list.length === 0 || list.length > MAX_EVENTS_PER_BATCH) {
    return {
      ok: false,
      message: `a batch holds 1 to ${MAX_EVENTS_PER_BATCH} events, not ${list.length}`,
      issues: [{ index: 0, path: "events", message: `must hold 1 to ${MAX_EVENTS_PER_BATCH} events` }],
    };
  }
  const events: HubEvent[] = [];
  const issues: EventIssue[] = [];
  list.forEach((item, index) => {
    const one = validateEvent(item, index);
    if (one.ok) events.push(one.event);
    else issues.push(...one.issues);
  });
  if (issues.length > 0) {
    const bad = new Set(issues.map((i) => i.index)).size;
    return { ok: false, message: `${bad} of ${list.length} events do not match the schema; nothing was stored`, issues: issues.slice(0, MAX_ISSUES_REPORTED) };
  }
  return { ok: true, events };
}

/**
 * Events dated further ahead of `nowMs` than the allowed clock skew. Applied, such a date
 * would become the entity's version and make every real event for it stale until then.
 */
export function futureDatedIssues(events: readonly HubEvent[], nowMs: number): EventIssue[] {
  const latestMs = nowMs + MAX_TIMESTAMP_SKEW_SECONDS * 1000;
  return events.flatMap((event, index) =>
    Date.parse(event.occurredAt) > latestMs ? [{ index, path: "occurredAt", message: `is more than ${MAX_TIMESTAMP_SKEW_SECONDS} s ahead of the server clock` }] : [],
  );
}

function validateEvent(item: unknown, index: number): { ok: true; event: HubEvent } | { ok: false; issues: EventIssue[] } {
  const result = v.safeParse(EventSchema, item);
  if (result.success) return { ok: true, event: result.output };
  return {
    ok: false,
    issues: result.issues.map((issue) => ({ index, path: v.getDotPath(issue) ?? "", message: issue.message })),
  };
}
