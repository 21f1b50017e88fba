/** "HTTP <status>: <message>" from the hub's `{ "error": { code, message } }` body; just the status when the body is something else (a proxy page). */
export async function errorMessageOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return `HTTP ${res.status}: ${body.error.message}`;
  } catch {
    // Not our JSON error body.
  }
  return `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
}
