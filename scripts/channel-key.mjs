#!/usr/bin/env node
// npm run channel-key -- <channel> [--hex | --whsec]
// Prints the channel's sender key, derived from the hub's root secret
// ($WEBHOOK_SECRET, else WEBHOOK_SECRET from .dev.vars): the hex key and its
// Standard Webhooks form, labelled; --hex or --whsec prints that one alone,
// for KEY=$(npm run -s channel-key -- <channel> --hex).
import { parseArgs } from "node:util";
import { tsImport } from "tsx/esm/api";
import { readDevVars } from "./dev-vars.mjs";

const USAGE = `usage: npm run channel-key -- <channel> [--hex | --whsec]
Root secret: $WEBHOOK_SECRET, else WEBHOOK_SECRET from .dev.vars (npm start writes it).`;

let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { hex: { type: "boolean" }, whsec: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
const { positionals, values } = parsed;
if (values.help || positionals.length !== 1 || (values.hex && values.whsec)) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const [channel] = positionals;
const { CHANNEL_NAME_RULE, deriveChannelKey, isChannelName, standardWebhooksSecret } = await tsImport("../protocol/index.ts", import.meta.url);
if (!isChannelName(channel)) {
  console.error(`"${channel}" is not a channel name: ${CHANNEL_NAME_RULE}`);
  process.exit(2);
}
const root = process.env.WEBHOOK_SECRET || readDevVars()?.WEBHOOK_SECRET;
if (!root) {
  console.error("no WEBHOOK_SECRET: set it in the environment, or run npm start once to create .dev.vars");
  process.exit(2);
}
const key = await deriveChannelKey(root, channel);
if (values.hex) console.log(key);
else if (values.whsec) console.log(standardWebhooksSecret(key));
else console.log(`channel:               ${channel}\nkey (hex):             ${key}\nStandard Webhooks:     ${standardWebhooksSecret(key)}`);
