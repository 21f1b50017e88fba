/** Every event is checked against the protocol schema before it is queued: the hub rejects a whole batch for one bad event. */
import * as v from "valibot";
import { EventSchema, type HubEvent } from "../../../protocol/index.ts";

export type Validation = { readonly ok: true; readonly event: HubEvent } | { readonly ok: false; readonly message: string };

export function validateEvent(input: unknown): Validation {
  const result = v.safeParse(EventSchema, input);
  if (result.success) return { ok: true, event: result.output };
  const message = result.issues.map((issue) => `${v.getDotPath(issue) ?? "(event)"}: ${issue.message}`).join("; ");
  return { ok: false, message };
}
