/** A channel is one project/workspace: one Durable Object, one seq space. */
export const CHANNEL_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** What every refusal of a bad channel name says. */
export const CHANNEL_NAME_RULE = "channel must match ^[a-z0-9][a-z0-9._-]{0,63}$";

export function isChannelName(value: unknown): value is string {
  return typeof value === "string" && CHANNEL_PATTERN.test(value);
}
