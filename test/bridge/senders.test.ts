/**
 * Every way to send, against the real hub, signed with a channel's key:
 * `npm run send` (both header schemes, a key or the root secret), the
 * `agent` command with TASKMASTER_LIVE_KEY or --key-file (no root secret
 * anywhere), the channel-key script's output in the README's openssl+curl
 * recipe, and the Python example (Standard Webhooks).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { standardWebhooksSecret } from "../../protocol/index.ts";
import { DevServer, ROOT } from "../../dev/dev-server.ts";
import { ev } from "../../dev/events.ts";
import { HubClient } from "../../dev/hub-client.ts";
import { TEST_SECRETS } from "../../dev/secrets.ts";
import { runBin, taskMasterEnv } from "./bridge-process.ts";

let server: DevServer;
let hub: HubClient;
let env: NodeJS.ProcessEnv;
let folder: string;

/** The environment of a sender that holds no secret at all, plus `extra`. */
function senderEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { WEBHOOK_SECRET: _, ...rest } = env;
  return { ...rest, ...extra };
}

function run(command: string, args: string[], childEnv: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env: childEnv, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, output: stdout + stderr });
    });
  });
}

function eventFile(name: string, body: unknown): string {
  const path = join(folder, name);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

beforeAll(async () => {
  env = taskMasterEnv();
  folder = mkdtempSync(join(tmpdir(), "tml-senders-"));
  server = await DevServer.start();
  hub = new HubClient(server.url);
});

afterAll(async () => {
  await server?.stop();
  for (const dir of [folder, env?.HOME]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("senders with channel keys", () => {
  it("npm run send signs with a channel key (hex or whsec_, either scheme) or derives it from the root secret", async () => {
    const channel = "send-script";
    const key = await hub.channelKey(channel);
    const send = (file: string, extra: Record<string, string>, ...flags: string[]) => run(process.execPath, ["scripts/send.mjs", channel, file, "--hub", server.url, ...flags], senderEnv(extra));

    const hex = await send(eventFile("1.json", ev.taskUpsert({ id: 1, title: "hex key" })), { TASKMASTER_LIVE_KEY: key });
    expect(hex.output).toMatch(/^202 \{"accepted":1,/);
    const standard = await send(eventFile("2.json", ev.taskUpsert({ id: 2, title: "whsec key" })), { TASKMASTER_LIVE_KEY: standardWebhooksSecret(key) }, "--standard");
    expect(standard.output).toMatch(/^202 \{"accepted":1,/);
    const root = await send(eventFile("3.json", ev.taskUpsert({ id: 3, title: "root secret" })), { WEBHOOK_SECRET: TEST_SECRETS.WEBHOOK_SECRET });
    expect(root.output).toMatch(/^202 \{"accepted":1,/);
    expect(Object.keys((await hub.snapshot(channel)).state.tasks.master ?? {}).sort()).toEqual(["1", "2", "3"]);

    const wrong = await send(eventFile("4.json", ev.meta({ name: "x" })), { TASKMASTER_LIVE_KEY: await hub.channelKey("another-channel") });
    expect(wrong.code).toBe(1);
    expect(wrong.output).toMatch(/^401 .*"code":"bad_signature"/);
    expect((await hub.snapshot(channel)).seq).toBe(3);
  });

  it("the agent command takes TASKMASTER_LIVE_KEY or --key-file, without any root secret", async () => {
    const channel = "key-agents";
    const key = await hub.channelKey(channel);
    const args = ["agent", "--id", "keyed-1", "--channel", channel, "--hub", server.url];
    const byEnv = await runBin([...args, "--status", "busy"], senderEnv({ TASKMASTER_LIVE_KEY: key }));
    expect(byEnv.code, byEnv.output).toBe(0);
    const keyFile = join(folder, "channel.key");
    writeFileSync(keyFile, `${standardWebhooksSecret(key)}\n`, { mode: 0o600 });
    const byFile = await runBin([...args, "--status", "idle", "--key-file", keyFile], senderEnv({}));
    expect(byFile.code, byFile.output).toBe(0);
    expect((await hub.snapshot(channel)).state.agents["keyed-1"]?.status).toBe("idle");

    const none = await runBin([...args, "--status", "busy"], senderEnv({}));
    expect(none.code).toBe(1);
    expect(none.output).toMatch(/no sender key: set TASKMASTER_LIVE_KEY/);
    const otherChannel = await runBin([...args, "--status", "busy"], senderEnv({ TASKMASTER_LIVE_KEY: await hub.channelKey("not-this-one") }));
    expect(otherChannel.code).toBe(1);
    expect(otherChannel.output).toMatch(/the hub rejected the signature: check the channel's key/);
  });

  it("the README recipe: the channel-key script's --hex output signs with openssl, sent with curl", async () => {
    const channel = "curl-recipe";
    const script = [
      `KEY=$(npm run -s channel-key -- ${channel} --hex)`,
      `body='{"id":"curl-1","type":"agent.status","occurredAt":"${new Date().toISOString()}","data":{"agentId":"curl-1","status":"busy"}}'`,
      "ts=$(date +%s)",
      `sig=$(printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$KEY" -hex | sed 's/^.* //')`,
      `curl -s ${server.url}/webhooks/${channel} -H "Content-Type: application/json" -H "X-Hub-Timestamp: $ts" -H "X-Hub-Signature: sha256=$sig" --data "$body"`,
    ].join("\n");
    const result = await run("bash", ["-c", script], { ...env, WEBHOOK_SECRET: TEST_SECRETS.WEBHOOK_SECRET });
    expect(result.output).toBe('{"accepted":1,"duplicates":0,"stale":0,"head":1}');
  });

  it("the Python example sends with Standard Webhooks headers", async () => {
    const channel = "python-sender";
    const key = await hub.channelKey(channel);
    // The stand-in for the standardwebhooks package: PyPI is unreachable here (see its docstring).
    const pythonEnv = senderEnv({ TASKMASTER_LIVE_KEY: key, PYTHONPATH: join(ROOT, "test/fixtures/python") });
    const result = await run("python3", ["examples/python_sender.py", channel, "--hub", server.url], pythonEnv);
    expect(result.output).toMatch(/^202 \{"accepted":1,"duplicates":0,"stale":0,"head":1\}/);
    expect((await hub.snapshot(channel)).state.agents["python-sender"]?.status).toBe("busy");

    const file = await run("python3", ["examples/python_sender.py", channel, eventFile("py.json", { events: [ev.taskUpsert({ id: 9, title: "from python" })] }), "--hub", server.url], pythonEnv);
    expect(file.code, file.output).toBe(0);
    expect((await hub.snapshot(channel)).state.tasks.master?.["9"]?.title).toBe("from python");

    const wrong = await run("python3", ["examples/python_sender.py", channel, "--hub", server.url], { ...pythonEnv, TASKMASTER_LIVE_KEY: await hub.channelKey("elsewhere") });
    expect(wrong.code).toBe(1);
    expect(wrong.output).toMatch(/^401 .*webhook-signature does not match/);
  });
});
