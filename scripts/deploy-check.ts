/** What `npm run deploy` checks first: the secrets the hub cannot run without (names only; values stay hidden). */
export const REQUIRED_SECRETS = ["WEBHOOK_SECRET", "DASHBOARD_TOKEN"] as const;

export type DeployCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** Judges the output of `wrangler secret list --format json` (a JSON array of `{ name, type }`). */
export function checkSecretList(output: string): DeployCheck {
  let list: unknown;
  try {
    list = JSON.parse(output);
  } catch {
    return { ok: false, message: `could not read the Worker's secrets (is wrangler logged in, and the Worker created?); set them first:\n${putCommands(REQUIRED_SECRETS)}` };
  }
  const names = new Set(Array.isArray(list) ? list.flatMap((s) => (typeof s?.name === "string" ? [s.name as string] : [])) : []);
  const missing = REQUIRED_SECRETS.filter((name) => !names.has(name));
  if (missing.length === 0) return { ok: true };
  return { ok: false, message: `the Worker has no ${missing.join(" and no ")}: without ${missing.length === 1 ? "it" : "them"} the hub answers 503 not_configured. Set ${missing.length === 1 ? "it" : "them"} first:\n${putCommands(missing)}` };
}

function putCommands(names: readonly string[]): string {
  return names.map((name) => `  npx wrangler secret put ${name}     # e.g. openssl rand -hex 32`).join("\n");
}
