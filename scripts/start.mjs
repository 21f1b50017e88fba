#!/usr/bin/env node
// npm start [-- --port 8787] [--no-demo] [--no-build] [--verbose]
// Runs the hub and the dashboard locally on one port (wrangler dev), writing
// .dev.vars with random secrets on first run, and by default the demo feed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { tsImport } from "tsx/esm/api";
import { ensureDevVars } from "./dev-vars.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    "no-demo": { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
    // wrangler's line per request (the demo posts every second) and the workers' JSON logs.
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log("usage: npm start [-- --port 8787] [--no-demo] [--no-build] [--verbose]");
  process.exit(0);
}
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const hub = `http://127.0.0.1:${values.port}`;
const { vars, created } = ensureDevVars();
if (created) console.log("Wrote .dev.vars with random WEBHOOK_SECRET and DASHBOARD_TOKEN (git-ignored).");

if (!values["no-build"] && existsSync(new URL("../dashboard/vite.config.ts", import.meta.url))) {
  console.log("Building the dashboard…");
  const build = spawnSync("npm", ["run", "--silent", "build:dashboard", "--", "--logLevel", "warn"], { cwd: ROOT, stdio: "inherit", env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const children = [];
const wranglerArgs = ["dev", "--ip", "127.0.0.1", "--port", values.port, ...(values.verbose ? [] : ["--log-level", "warn"])];
const wrangler = spawn("wrangler", wranglerArgs, { cwd: ROOT, stdio: "inherit", env });
children.push(wrangler);
wrangler.on("exit", (code) => shutdown(code ?? 0));

function shutdown(code) {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

async function waitForHub(timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${hub}/api/health`)).ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

/** A curl that signs one agent.status event for the demo channel with its key: openssl is the only tool it needs. */
function curlExample(key) {
  return [
    `    KEY=${key}`,
    `    body="{\\"id\\":\\"curl-$(date +%s)\\",\\"type\\":\\"agent.status\\",\\"occurredAt\\":\\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\\",\\"data\\":{\\"agentId\\":\\"curl-1\\",\\"status\\":\\"busy\\"}}"`,
    `    ts=$(date +%s); sig=$(printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$KEY" -hex | sed 's/^.* //')`,
    `    curl -s ${hub}/webhooks/demo -H "Content-Type: application/json" -H "X-Hub-Timestamp: $ts" -H "X-Hub-Signature: sha256=$sig" --data "$body"`,
  ].join("\n");
}

const { deriveChannelKey } = await tsImport("../protocol/index.ts", import.meta.url);
const demoKey = await deriveChannelKey(vars.WEBHOOK_SECRET, "demo");

if (await waitForHub()) {
  const demo = !values["no-demo"] && existsSync(new URL("../bridge/bin/taskmaster-live.mjs", import.meta.url));
  console.log(`
  taskmaster-live is running on ${hub}
  Dashboard:        ${hub}/#token=${vars.DASHBOARD_TOKEN}${demo ? `\n  Demo channel:     ${hub}/c/demo#token=${vars.DASHBOARD_TOKEN}` : ""}
  Get a ticket:     curl -s -X POST ${hub}/api/auth/ticket -H "Authorization: Bearer ${vars.DASHBOARD_TOKEN}"
  Post a webhook:   npm run send -- my-project examples/events.json
  Demo channel key: ${demoKey}   (any channel's: npm run channel-key -- <channel>)
  Post with curl (signed with the demo channel's key; paste as is):
${curlExample(demoKey)}

  In your Task Master project's folder (npx -p task-master-ai task-master init makes one):
    export WEBHOOK_SECRET="$(sed -n 's/^WEBHOOK_SECRET=//p' "${ROOT}.dev.vars")"
    node "${ROOT}bridge/bin/taskmaster-live.mjs" bridge --hub ${hub}
    node "${ROOT}bridge/bin/taskmaster-live.mjs" hook install claude-code --hub ${hub} --secret-file "${ROOT}.dev.vars"
${values.verbose ? "" : "  (quiet: warnings and errors only; npm start -- --verbose shows every request and log line)\n"}`);
  if (demo) {
    const feed = spawn(process.execPath, ["bridge/bin/taskmaster-live.mjs", "demo", "--hub", hub, "--channel", "demo"], {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...env, WEBHOOK_SECRET: vars.WEBHOOK_SECRET },
    });
    children.push(feed);
  }
} else {
  console.error(`the hub did not answer ${hub}/api/health within 60 s`);
  shutdown(1);
}
