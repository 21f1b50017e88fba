/**
 * The credential of a project's agents (the hooks and the MCP server): the
 * sender-key sources every command reads (`sender-key.ts`:
 * `TASKMASTER_LIVE_KEY`, `TASKMASTER_LIVE_KEY_FILE`, `WEBHOOK_SECRET`), then
 * the project config's `secretFile`, a file outside the project (where no
 * commit can take it) holding the channel's key, or a dotenv file (such as
 * the hub's `.dev.vars`) with `TASKMASTER_LIVE_KEY=` or `WEBHOOK_SECRET=`.
 * Never the command line, where `ps` shows it.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { ConfigError } from "../config.ts";
import { ENV_KEY, ENV_KEY_FILE, ENV_ROOT_SECRET, parseChannelKey, senderCredential, type SenderCredential } from "../sender-key.ts";

export interface SecretSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project config's secretFile, resolved against `projectRoot`. */
  readonly secretFile?: string;
  readonly projectRoot?: string;
}

/** The credential to sign with, or null when no source holds one. Throws ConfigError for a source that cannot be used. */
export function findSenderCredential(sources: SecretSources): SenderCredential | null {
  const { env } = sources;
  if (env[ENV_KEY] || env[ENV_KEY_FILE] || env[ENV_ROOT_SECRET]) return senderCredential({}, env);
  if (!sources.secretFile) return null;
  const file = resolve(sources.projectRoot ?? ".", sources.secretFile);
  if (sources.projectRoot && isInside(sources.projectRoot, file)) throw new ConfigError(`the secret file ${file} is inside the project: keep it outside, where no commit can take it`);
  return fromSecretFile(file);
}

function fromSecretFile(file: string): SenderCredential {
  const body = readSecretFile(file);
  const vars = new Map<string, string>();
  for (const line of body.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) vars.set(match[1]!, match[2]!.replace(/^(["'])(.*)\1$/, "$2"));
  }
  const key = vars.get(ENV_KEY);
  if (key) return { channelKey: parseChannelKey(key, `${ENV_KEY} in ${file}`) };
  const root = vars.get(ENV_ROOT_SECRET);
  if (root) return { rootSecret: root };
  if (vars.size > 0) throw new ConfigError(`the secret file ${file} has neither ${ENV_KEY}= nor ${ENV_ROOT_SECRET}=`);
  return { channelKey: parseChannelKey(body, `the secret file ${file}`) };
}

function readSecretFile(file: string): string {
  try {
    const body = readFileSync(file, "utf8").trim();
    if (body) return body;
  } catch (error) {
    throw new ConfigError(`cannot read the secret file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  throw new ConfigError(`the secret file ${file} is empty`);
}

export function isInside(folder: string, file: string): boolean {
  const rel = relative(resolve(folder), resolve(file));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
