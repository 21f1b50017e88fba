import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { HubEvent } from "../../../protocol/index.ts";
import type { PostOutcome } from "../../../bridge/src/delivery/hub-poster.ts";
import { ReportQueue } from "../../../bridge/src/hooks/report-queue.ts";
import { ConfigError } from "../../../bridge/src/config.ts";
import { findSenderCredential } from "../../../bridge/src/secrets/sender-secret.ts";

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), "tml-rq-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const event = (n: number): HubEvent => ({ id: `r-${n}`, type: "agent.status", occurredAt: new Date(1_800_000_000_000 + n).toISOString(), data: { agentId: "a", status: "busy" } }) as HubEvent;
const letters: unknown[] = [];
const deadLetters = { add: async (e: unknown) => void letters.push(e) };
const accepted: PostOutcome = { kind: "accepted", result: { accepted: 1, duplicates: 0, stale: 0, head: 1 } };

describe("ReportQueue", () => {
  it("delivers in the order the reports were made, and keeps them while the hub is down", async () => {
    const queue = new ReportQueue(temp(), deadLetters);
    for (let n = 1; n <= 5; n++) await queue.append(event(n), 1000 + n);
    const down = await queue.exclusively(() => queue.drain(async () => ({ kind: "unreachable", message: "ECONNREFUSED" })));
    expect(down).toMatchObject({ delivered: 0, left: 5, stoppedBy: { kind: "unreachable" } });
    const sent: string[] = [];
    const up = await queue.exclusively(() => queue.drain(async (events) => (sent.push(...events.map((e) => e.id)), accepted)));
    expect(up).toMatchObject({ delivered: 5, left: 0 });
    expect(sent).toEqual(["r-1", "r-2", "r-3", "r-4", "r-5"]);
  });

  it("lets one drainer at a time in, and takes over a lock whose holder died", async () => {
    const dir = temp();
    const queue = new ReportQueue(dir, deadLetters);
    const inner = await queue.exclusively(async () => queue.exclusively(async () => "second"));
    expect(inner).toBeNull();
    writeFileSync(join(dir, "reports.lock"), "{}");
    expect(await queue.exclusively(async () => "blocked")).toBeNull();
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, "reports.lock"), old, old);
    expect(await queue.exclusively(async () => "taken over")).toBe("taken over");
    expect(readdirSync(dir)).not.toContain("reports.lock");
  });

  it("sends refused reports to the dead letters so the rest can go", async () => {
    const queue = new ReportQueue(temp(), deadLetters);
    await queue.append(event(1), 1);
    await queue.append(event(2), 2);
    let calls = 0;
    const result = await queue.exclusively(() =>
      queue.drain(async () => (++calls === 1 ? { kind: "rejected", status: 422, code: "invalid_event", message: "bad", badIndexes: [0] } : accepted)),
    );
    expect(result).toMatchObject({ delivered: 1, left: 0 });
    expect(letters).toContainEqual(event(1));
  });
});

describe("the sender credential of hooks and the MCP server", () => {
  const KEY = "ab".repeat(32);
  const OTHER = "cd".repeat(32);
  it("prefers the channel key, then its file, then the root secret, then the project's secret file", () => {
    const dir = temp();
    const keyFile = join(dir, "key");
    writeFileSync(keyFile, `${OTHER}\n`);
    expect(findSenderCredential({ env: { TASKMASTER_LIVE_KEY: KEY, WEBHOOK_SECRET: "r" } })).toEqual({ channelKey: KEY });
    expect(findSenderCredential({ env: { TASKMASTER_LIVE_KEY_FILE: keyFile, WEBHOOK_SECRET: "r" } })).toEqual({ channelKey: OTHER });
    expect(findSenderCredential({ env: { WEBHOOK_SECRET: "r" } })).toEqual({ rootSecret: "r" });
    const devVars = join(dir, ".dev.vars");
    writeFileSync(devVars, 'DASHBOARD_TOKEN=x\nWEBHOOK_SECRET="root-1"\n');
    expect(findSenderCredential({ env: {}, secretFile: devVars, projectRoot: join(dir, "project") })).toEqual({ rootSecret: "root-1" });
    const keyOnly = join(dir, "key.env");
    writeFileSync(keyOnly, `TASKMASTER_LIVE_KEY=whsec_${Buffer.from(KEY).toString("base64")}\n`);
    expect(findSenderCredential({ env: {}, secretFile: keyOnly, projectRoot: join(dir, "project") })).toEqual({ channelKey: KEY });
    expect(findSenderCredential({ env: {} })).toBeNull();
  });

  it("refuses a secret file inside the project, and a file that holds no key", () => {
    const dir = temp();
    writeFileSync(join(dir, "secret"), KEY);
    expect(() => findSenderCredential({ env: {}, secretFile: "secret", projectRoot: dir })).toThrow(ConfigError);
    const outside = temp();
    writeFileSync(join(outside, "notes"), "OTHER=1\n");
    expect(() => findSenderCredential({ env: {}, secretFile: join(outside, "notes"), projectRoot: dir })).toThrow(/neither TASKMASTER_LIVE_KEY= nor WEBHOOK_SECRET=/);
  });
});
