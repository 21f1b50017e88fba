/** One JSON object per line, so `wrangler tail` and log search can filter on fields. */
type LogEvent =
  | "webhook.rejected"
  | "socket.open"
  | "socket.close"
  | "socket.rejected"
  | "error"
  | "channel.deleted"
  | "config.missing";

export function logLine(event: LogEvent, fields: Record<string, unknown>): void {
  const line = JSON.stringify({ event, at: new Date().toISOString(), ...fields });
  if (event === "error") console.error(line);
  else console.log(line);
}

export function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { error: error.message, name: error.name, stack: error.stack } : { error: String(error) };
}
