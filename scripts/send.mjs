#!/usr/bin/env node
// npm run send -- <channel> <events.json> [--hub URL]
// Signs a JSON file (one event or { "events": [...] }) with WEBHOOK_SECRET and posts it.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { tsImport } from "tsx/esm/api";
import { readDevVars } from "./dev-vars.mjs";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { hub: { type: "string", default: process.env.HUB_URL ?? "http://127.0.0.1:8787" }, help: { type: "boolean", short: "h" } },
});
if (values.help || positionals.length !== 2) {
  console.log("usage: npm run send -- <channel> <events.json> [--hub http://127.0.0.1:8787]\n" +
    "Secret: $WEBHOOK_SECRET, else WEBHOOK_SECRET from .dev.vars.");
  process.exit(values.help ? 0 : 2);
}
const [channel, file] = positionals;
const secret = process.env.WEBHOOK_SECRET ?? readDevVars()?.WEBHOOK_SECRET;
if (!secret) {
  console.error("no WEBHOOK_SECRET: set it in the environment or run npm start once to create .dev.vars");
  process.exit(2);
}
const { webhookHeaders, Paths, trimBaseUrl } = await tsImport("../protocol/index.ts", import.meta.url);
const body = readFileSync(file, "utf8");
const res = await fetch(trimBaseUrl(values.hub) + Paths.webhook(channel), { method: "POST", body, headers: await webhookHeaders(secret, body) });
console.log(`${res.status} ${await res.text()}`);
process.exit(res.status === 202 ? 0 : 1);
