/**
 * A benchmark server in its own process (forked by bench/compare.ts with
 * `--target hub|ws|socketio|partyserver`). It starts the target, then
 * answers `ready` with where clients connect, where the publisher posts, and
 * the pid whose CPU and memory are the server's (workerd for the hub and
 * the partyserver room, this process for the Node peers).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { Paths } from "../../protocol/index.ts";
import { BENCH_LIMITS } from "../support/bench-limits.ts";
import type { Target } from "../support/peer-bench.ts";
import { BENCH_CHANNEL, type ServerCommand, type ServerInfo } from "./bench-event.ts";
import { serve } from "./child.ts";
import type { RunningPeer } from "./node-peers.ts";

// Each target loads only its own modules (imported below where used): the Node peers' RSS is theirs, not wrangler's.


const target = parseArgs({ options: { target: { type: "string" } } }).values.target as Target;

async function startHub(): Promise<RunningPeer & { statsPid: number | null }> {
  const { MiniflareHub } = await import("../../dev/miniflare-hub.ts");
  const { HubClient } = await import("../../dev/hub-client.ts");
  const hub = await MiniflareHub.start({ vars: BENCH_LIMITS });
  const ticket = await new HubClient(hub.url).viewerTicket();
  return {
    wsUrl: `${hub.url.replace("http", "ws")}${Paths.socket(BENCH_CHANNEL)}?ticket=${encodeURIComponent(ticket)}`,
    publishUrl: hub.url + Paths.webhook(BENCH_CHANNEL),
    statsPid: hub.workerdPid,
    close: () => hub.dispose(),
  };
}

/** The room of bench/peers/partyserver/index.ts (named index.ts: the bundle is index.js, as MiniflareHub expects), bundled by wrangler with the hub's compatibility settings. */
async function startPartyserver(): Promise<RunningPeer & { statsPid: number | null }> {
  const { MiniflareHub } = await import("../../dev/miniflare-hub.ts");
  const { ROOT } = await import("../../dev/dev-server.ts");
  const { unstable_readConfig } = await import("wrangler");
  const dir = mkdtempSync(join(tmpdir(), "tml-party-"));
  try {
    const hubConfig = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
    const configPath = join(dir, "wrangler.json");
    writeFileSync(
      configPath,
      JSON.stringify({
        name: "bench-partyserver",
        main: fileURLToPath(new URL("./partyserver/index.ts", import.meta.url)),
        compatibility_date: hubConfig.compatibility_date,
        compatibility_flags: hubConfig.compatibility_flags,
        durable_objects: { bindings: [{ name: "Room", class_name: "Room" }] },
        migrations: [{ tag: "v1", new_sqlite_classes: ["Room"] }],
      }),
    );
    const room = await MiniflareHub.start({ configPath });
    const path = `/parties/room/${BENCH_CHANNEL}`;
    return {
      wsUrl: `${room.url.replace("http", "ws")}${path}`,
      publishUrl: room.url + path,
      statsPid: room.workerdPid,
      close: async () => {
        await room.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function start(): Promise<RunningPeer & { statsPid: number | null }> {
  switch (target) {
    case "hub":
      return startHub();
    case "partyserver":
      return startPartyserver();
    case "ws":
      return { ...(await (await import("./ws-peer.ts")).startWsPeer()), statsPid: process.pid };
    case "socketio":
      return { ...(await (await import("./socketio-peer.ts")).startSocketIoPeer()), statsPid: process.pid };
    default:
      throw new Error(`unknown target ${String(target)}`);
  }
}

let running: (RunningPeer & { statsPid: number | null }) | null = null;
serve<ServerCommand>(
  async () => {
    running ??= await start();
    return { target, wsUrl: running.wsUrl, publishUrl: running.publishUrl, statsPid: running.statsPid } satisfies ServerInfo;
  },
  async () => {
    await running?.close();
  },
);
