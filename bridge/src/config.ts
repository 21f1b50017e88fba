/** Defaults and checks shared by the commands and the API. */
import { CHANNEL_NAME_RULE, isChannelName, trimBaseUrl } from "../../protocol/index.ts";

export const DEFAULT_HUB_URL = "http://127.0.0.1:8787";
export const DEMO_CHANNEL = "demo";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** A folder name as a channel: "My Project" → "my-project". Null when nothing usable is left. */
export function channelFromFolderName(name: string): string | null {
  const channel = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 64);
  return isChannelName(channel) ? channel : null;
}

export function checkChannel(channel: string): string {
  if (!isChannelName(channel)) throw new ConfigError(`channel "${channel}" is not valid: ${CHANNEL_NAME_RULE}`);
  return channel;
}

export function checkHubUrl(hub: string): string {
  let url: URL;
  try {
    url = new URL(hub);
  } catch {
    throw new ConfigError(`--hub "${hub}" is not a URL (e.g. ${DEFAULT_HUB_URL})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError(`--hub must be an http(s) URL, not ${url.protocol}`);
  return trimBaseUrl(hub);
}
