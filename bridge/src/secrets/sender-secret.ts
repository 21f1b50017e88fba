/**
 * The one place a sender finds the secret it signs with, never from the
 * command line (where `ps` shows it) nor from a file in the repository:
 *
 * 1. `TASKMASTER_LIVE_KEY`: the channel's sender key (hex, or `whsec_…`);
 * 2. `TASKMASTER_LIVE_KEY_FILE`: a file holding that key;
 * 3. `WEBHOOK_SECRET`: the hub's root secret;
 * 4. the project config's `secretFile`: a file outside the project holding
 *    the key, or a dotenv file (such as the hub's `.dev.vars`) with
 *    `TASKMASTER_LIVE_KEY=` or `WEBHOOK_SECRET=`.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { deriveChannelKey, STANDARD_WEBHOOKS_SECRET_PREFIX } from "../../../protocol/index.ts";

export type SenderSecret =
  /** A channel key: signs for its channel only. */
  | { readonly kind: "channel-key"; readonly key: string; readonly source: string }
  /** The hub's root secret: a channel key derives from it. */
  | { readonly kind: "root-secret"; readonly secret: string; readonly source: string };

export class SenderSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SenderSecretError";
  }
}

export interface SecretSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project config's secretFile, resolved against `projectRoot`. */
  readonly secretFile?: string;
  readonly projectRoot?: string;
}

/** `whsec_<base64 of the key's bytes>` → the key itself; hex is kept as given. */
export function parseChannelKey(text: string): string {
  const key = text.trim();
  if (!key.startsWith(STANDARD_WEBHOOKS_SECRET_PREFIX)) return key;
  return Buffer.from(key.slice(STANDARD_WEBHOOKS_SECRET_PREFIX.length), "base64").toString("utf8");
}

/** The secret to sign with, or null when none of the sources holds one. Throws SenderSecretError for a named file that cannot be used. */
export function findSenderSecret(sources: SecretSources): SenderSecret | null {
  const { env } = sources;
  if (env.TASKMASTER_LIVE_KEY) return { kind: "channel-key", key: parseChannelKey(env.TASKMASTER_LIVE_KEY), source: "TASKMASTER_LIVE_KEY" };
  if (env.TASKMASTER_LIVE_KEY_FILE) return { kind: "channel-key", key: parseChannelKey(readSecretFile(env.TASKMASTER_LIVE_KEY_FILE)), source: env.TASKMASTER_LIVE_KEY_FILE };
  if (env.WEBHOOK_SECRET) return { kind: "root-secret", secret: env.WEBHOOK_SECRET, source: "WEBHOOK_SECRET" };
  if (!sources.secretFile) return null;
  const file = resolve(sources.projectRoot ?? ".", sources.secretFile);
  if (sources.projectRoot && isInside(sources.projectRoot, file)) throw new SenderSecretError(`the secret file ${file} is inside the project: keep it outside, where no commit can take it`);
  return fromSecretFile(file);
}

function fromSecretFile(file: string): SenderSecret {
  const body = readSecretFile(file);
  const vars = new Map<string, string>();
  for (const line of body.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) vars.set(match[1]!, match[2]!.replace(/^(["'])(.*)\1$/, "$2"));
  }
  const key = vars.get("TASKMASTER_LIVE_KEY");
  if (key) return { kind: "channel-key", key: parseChannelKey(key), source: file };
  const root = vars.get("WEBHOOK_SECRET");
  if (root) return { kind: "root-secret", secret: root, source: file };
  if (vars.size > 0) throw new SenderSecretError(`the secret file ${file} has neither TASKMASTER_LIVE_KEY= nor WEBHOOK_SECRET=`);
  return { kind: "channel-key", key: parseChannelKey(body), source: file };
}

function readSecretFile(file: string): string {
  try {
    const body = readFileSync(file, "utf8").trim();
    if (body) return body;
  } catch (error) {
    throw new SenderSecretError(`cannot read the secret file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  throw new SenderSecretError(`the secret file ${file} is empty`);
}

export function isInside(folder: string, file: string): boolean {
  const rel = relative(resolve(folder), resolve(file));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The channel key this secret signs `channel` with. */
export async function channelKeyOf(secret: SenderSecret, channel: string): Promise<string> {
  return secret.kind === "channel-key" ? secret.key : deriveChannelKey(secret.secret, channel);
}

/**
 * What goes into the HMAC of a request to `channel`. The hub of this
 * release verifies the root secret itself, so a root secret signs as it is
 * and a channel key as it is; a hub that verifies channel keys (issue 8)
 * takes `channelKeyOf` here.
 */
export async function signingKeyOf(secret: SenderSecret, _channel: string): Promise<string> {
  return secret.kind === "channel-key" ? secret.key : secret.secret;
}
