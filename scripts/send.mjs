#!/usr/bin/env node
// npm run send -- <channel> <events.json> [--hub URL] [--key-file path] [--standard]
// Signs a JSON file (one event or { "events": [...] }) with the channel's key and posts it.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { tsImport } from "tsx/esm/api";
import { readDevVars } from "./dev-vars.mjs";

const USAGE = `usage: npm run send -- <channel> <events.json> [--hub http://127.0.0.1:8787] [--key-file <path>] [--standard]
Key, first found: --key-file, $TASKMASTER_LIVE_KEY (the channel's key, hex or whsec_…),
$TASKMASTER_LIVE_KEY_FILE, $WEBHOOK_SECRET (the hub's root secret), WEBHOOK_SECRET from .dev.vars.
--standard signs with the Standard Webhooks headers instead of X-Hub-Signature.`;

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      hub: { type: "string", default: process.env.HUB_URL ?? "http://127.0.0.1:8787" },
      "key-file": { type: "string" },
      standard: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
const { positionals, values } = parsed;
if (values.help || positionals.length !== 2) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const [channel, file] = positionals;
const { webhookHeaders, standardWebhookHeaders, Paths, trimBaseUrl } = await tsImport("../protocol/index.ts", import.meta.url);
const { channelKeyOf, senderCredential } = await tsImport("../bridge/src/sender-key.ts", import.meta.url);
const { ConfigError } = await tsImport("../bridge/src/config.ts", import.meta.url);

let credential;
try {
  // .dev.vars last: a key given on purpose wins over the local hub's root secret.
  credential = senderCredential({ ...(values["key-file"] ? { keyFile: values["key-file"] } : {}) }, { WEBHOOK_SECRET: readDevVars()?.WEBHOOK_SECRET, ...withoutEmpty(process.env) });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`npm run send: ${error.message}`);
  process.exit(2);
}
const key = await channelKeyOf(credential, channel);
const body = readFileSync(file, "utf8");
const headers = values.standard ? await standardWebhookHeaders(key, `msg_${crypto.randomUUID()}`, body) : await webhookHeaders(key, body);
const res = await fetch(trimBaseUrl(values.hub) + Paths.webhook(channel), { method: "POST", body, headers });
console.log(`${res.status} ${await res.text()}`);
process.exit(res.status === 202 ? 0 : 1);

function withoutEmpty(env) {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value));
}
