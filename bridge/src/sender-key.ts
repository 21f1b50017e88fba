/**
 * The key a sender signs with: its channel's key, never the hub's root
 * secret on the wire. Found, first match wins, in the options
 * (`key`, `keyFile`, `secret`), then in the environment
 * (`TASKMASTER_LIVE_KEY`, `TASKMASTER_LIVE_KEY_FILE`, `WEBHOOK_SECRET`).
 * A key is the hex channel key or its Standard Webhooks form (`whsec_…`);
 * the root secret is only used to derive the channel's key.
 * Flags show in `ps`: the environment or a key file is the way to pass them.
 */
import { readFileSync } from "node:fs";
import { deriveChannelKey, STANDARD_WEBHOOKS_SECRET_PREFIX } from "../../protocol/index.ts";
import { ConfigError } from "./config.ts";

export const ENV_KEY = "TASKMASTER_LIVE_KEY";
export const ENV_KEY_FILE = "TASKMASTER_LIVE_KEY_FILE";
export const ENV_ROOT_SECRET = "WEBHOOK_SECRET";

export interface SenderKeyOptions {
  /** The channel's key: 64 hex digits, or `whsec_…`. */
  readonly key?: string;
  /** A file holding the channel's key. */
  readonly keyFile?: string;
  /** The hub's root WEBHOOK_SECRET; the channel's key is derived from it. */
  readonly secret?: string;
}

/** Where the signing key comes from, once checked. */
export type SenderCredential = { readonly channelKey: string } | { readonly rootSecret: string };

type Environment = Readonly<Record<string, string | undefined>>;

const HEX_KEY = /^[0-9a-f]{64}$/i;

const NO_KEY = `no sender key: set ${ENV_KEY} (the channel's key, from \`npm run channel-key -- <channel>\`), ${ENV_KEY_FILE} (a file holding it) or ${ENV_ROOT_SECRET} (the hub's secret), or pass --key-file`;

/** The channel key in `text` (hex or whsec_), lower-case hex; ConfigError naming `source` otherwise. */
export function parseChannelKey(text: string, source: string): string {
  const given = text.trim();
  const hex = given.startsWith(STANDARD_WEBHOOKS_SECRET_PREFIX) ? decodeStandardSecret(given.slice(STANDARD_WEBHOOKS_SECRET_PREFIX.length)) : given;
  if (hex === null || !HEX_KEY.test(hex)) throw new ConfigError(`${source} is not a channel key: expected 64 hex digits or whsec_<base64>, as \`npm run channel-key -- <channel>\` prints`);
  return hex.toLowerCase();
}

function decodeStandardSecret(base64: string): string | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  return Buffer.from(base64, "base64").toString("utf8");
}

function readKeyFile(path: string, source: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`${source} ${path} cannot be read: ${(error as Error).message}`);
  }
  return parseChannelKey(text, `${source} ${path}`);
}

/** Finds and checks the credential (synchronously, so a bad one fails at start-up); ConfigError when there is none. */
export function senderCredential(options: SenderKeyOptions, env: Environment = process.env): SenderCredential {
  if (options.key) return { channelKey: parseChannelKey(options.key, "the key") };
  if (options.keyFile) return { channelKey: readKeyFile(options.keyFile, "--key-file") };
  if (options.secret) return { rootSecret: options.secret };
  if (env[ENV_KEY]) return { channelKey: parseChannelKey(env[ENV_KEY], ENV_KEY) };
  if (env[ENV_KEY_FILE]) return { channelKey: readKeyFile(env[ENV_KEY_FILE], ENV_KEY_FILE) };
  if (env[ENV_ROOT_SECRET]) return { rootSecret: env[ENV_ROOT_SECRET] };
  throw new ConfigError(NO_KEY);
}

/** The hex key that signs for `channel`. */
export async function channelKeyOf(credential: SenderCredential, channel: string): Promise<string> {
  return "channelKey" in credential ? credential.channelKey : deriveChannelKey(credential.rootSecret, channel);
}
