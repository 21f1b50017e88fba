/**
 * The bridge: one Task Master project → one hub channel. Composes the
 * watcher, the sync (normalise, diff, queue), the durable outbox, the
 * delivery loop and the presence reporter.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BackoffPolicy } from "../../protocol/index.ts";
import { agentStatusEvent, hostKey } from "./agent/agent-events.ts";
import { checkChannel, checkHubUrl, DEFAULT_HUB_URL } from "./config.ts";
import { DeliveryLoop } from "./delivery/delivery-loop.ts";
import { postEvents, type HubTarget } from "./delivery/hub-poster.ts";
import { liveSender } from "./delivery/live-sender.ts";
import { validateEvent } from "./delivery/validate.ts";
import { acquireInstanceLock } from "./files/instance-lock.ts";
import { ReportQueue, startReportDrain } from "./hooks/report-queue.ts";
import { channelFromEnv, hubFromEnv } from "./project-config/env-defaults.ts";
import { consoleLogger, type Logger } from "./log.ts";
import { DiskDeadLetters, DiskOutbox } from "./outbox/disk-outbox.ts";
import { PresenceReporter } from "./presence/presence-reporter.ts";
import { channelKeyOf, senderCredential, type SenderKeyOptions } from "./sender-key.ts";
import { BaselineStore } from "./sync/baseline-store.ts";
import { ProjectSync } from "./sync/project-sync.ts";
import { FolderWatcher } from "./taskmaster/folder-watcher.ts";
import { findProject, projectFolderName, type ProjectPaths } from "./taskmaster/project-files.ts";
import { defaultChannelOf, projectIdentity } from "./taskmaster/project-identity.ts";
import { countReadyTasks } from "./taskmaster/ready-tasks.ts";

/** The signing key: `key`, `keyFile` or `secret`, else TASKMASTER_LIVE_KEY, TASKMASTER_LIVE_KEY_FILE or WEBHOOK_SECRET (see sender-key.ts). */
export interface BridgeOptions extends SenderKeyOptions {
  /** A folder inside the Task Master project (default: the current folder). */
  readonly dir?: string;
  /** A custom tasks file, as Task Master's `--file` (default: `.taskmaster/tasks/tasks.json`); relative to the current folder. */
  readonly file?: string;
  /** The hub's base URL (default: $TASKMASTER_LIVE_HUB, else http://127.0.0.1:8787). */
  readonly hub?: string;
  /** Default: $TASKMASTER_LIVE_CHANNEL, else the project's name (config.json `global.projectName`, else its folder name), made channel-safe. */
  readonly channel?: string;
  /** The project's name on the dashboard (default: config.json `global.projectName`, else its folder name). */
  readonly name?: string;
  /** The bridge's own agent id (default: taskmaster-live@<host>). */
  readonly agentId?: string;
  /** 0 turns them off. Default 5 s. */
  readonly heartbeatIntervalMs?: number;
  /** 0 turns them off. Default 5 s. */
  readonly healthIntervalMs?: number;
  /** Retry delays while the hub is down (default BRIDGE_BACKOFF: 250 ms floor, 10 s cap). */
  readonly backoff?: BackoffPolicy;
  /** Wait after a 401 or a wrong hub URL (default 30 s). */
  readonly slowRetryMs?: number;
  readonly log?: Logger;
  readonly fetch?: typeof fetch;
}

export interface Bridge {
  readonly paths: ProjectPaths;
  readonly channel: string;
  readonly hub: string;
  /** `<hub>/c/<channel>`: where the dashboard shows this project. */
  readonly dashboardUrl: string;
  readonly agentId: string;
  /** `<project>/.taskmaster-live/<channel>/`: outbox, baseline, dead letters, lock. */
  readonly stateDir: string;
  /** Events waiting in the outbox. */
  readonly outboxSize: number;
  /** Sends an `online` status, syncs the project, then follows its changes. */
  start(): Promise<void>;
  /** Re-reads the project now (the watcher does this on its own). */
  sync(): Promise<void>;
  /** Resolves true once everything queued is delivered, false after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Sends an `offline` status and delivers what it can within `flushTimeoutMs`; the rest stays in the outbox for next time. */
  stop(flushTimeoutMs?: number): Promise<void>;
}

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;
export const DEFAULT_HEALTH_INTERVAL_MS = 5000;
const DEFAULT_STOP_FLUSH_MS = 3000;

/** Checks the options and finds the project; throws ProjectNotFoundError or ConfigError with a message for humans. */
export function createBridge(options: BridgeOptions = {}): Bridge {
  const paths = findProject(options.dir ?? process.cwd(), options.file);
  const folder = projectFolderName(paths);
  const identity = projectIdentity(paths);
  const givenChannel = options.channel ?? channelFromEnv();
  const channel = givenChannel ? checkChannel(givenChannel) : defaultChannelOf(identity);
  const projectName = (options.name ?? identity.name).slice(0, 200);
  const hub = checkHubUrl(options.hub ?? hubFromEnv() ?? DEFAULT_HUB_URL);
  const key = channelKeyOf(senderCredential(options), channel);
  const log = options.log ?? consoleLogger();
  const agentId = options.agentId ?? `taskmaster-live@${hostKey()}`;
  const stateDir = join(paths.root, ".taskmaster-live", channel);
  const target: HubTarget = { hub, channel, key, ...(options.fetch ? { fetch: options.fetch } : {}) };
  const hubLabel = `${hub} (channel ${channel})`;
  const dashboardUrl = `${hub}/c/${channel}`;

  let outbox: DiskOutbox | null = null;
  let delivery: DeliveryLoop | null = null;
  let watcher: FolderWatcher | null = null;
  let presence: PresenceReporter | null = null;
  let sync: ProjectSync | null = null;
  let releaseLock: (() => Promise<void>) | null = null;
  let reportDrain: { stop(): Promise<void> } | null = null;

  const queueStatus = async (status: "online" | "offline") => {
    const checked = validateEvent(agentStatusEvent({ agentId, status, name: `Task Master bridge (${hostKey()})`, detail: `watching ${folder}` }));
    if (checked.ok && outbox) await outbox.append([checked.event]);
    delivery?.notify();
  };

  return {
    paths,
    channel,
    hub,
    dashboardUrl,
    agentId,
    stateDir,
    get outboxSize() {
      return outbox?.size ?? 0;
    },

    async start() {
      mkdirSync(stateDir, { recursive: true });
      // The outbox and baseline are this machine's state, never something to commit.
      const ignore = join(paths.root, ".taskmaster-live", ".gitignore");
      if (!existsSync(ignore)) writeFileSync(ignore, "*\n");
      releaseLock = await acquireInstanceLock(join(stateDir, "bridge.lock"));
      const deadLetterFile = join(stateDir, "dead-letter.jsonl");
      const deadLetters = new DiskDeadLetters(deadLetterFile);
      outbox = await DiskOutbox.open(join(stateDir, "outbox"), deadLetters, log);
      if (outbox.size > 0) log.info(`${outbox.size} event(s) from an earlier run are still in the outbox; they go first`);
      const store = new BaselineStore(join(stateDir, "baseline.json"));
      const { baseline, problem } = await store.load();
      if (problem) log.warn(problem);

      delivery = new DeliveryLoop({
        outbox,
        post: (events, signal) => postEvents(target, events, signal),
        deadLetters,
        log,
        hubLabel,
        deadLetterLabel: deadLetterFile,
        ...(options.backoff ? { backoff: options.backoff } : {}),
        ...(options.slowRetryMs !== undefined ? { slowRetryMs: options.slowRetryMs } : {}),
        onAccepted: (r, sent) => log.debug(`delivered ${sent}: ${r.accepted} accepted, ${r.duplicates} duplicate, ${r.stale} stale; head ${r.head}`),
      });
      sync = new ProjectSync({ paths, name: projectName, outbox, deadLetters, store, baseline, log, onQueued: () => delivery?.notify() });

      await queueStatus("online");
      await sync.request();
      delivery.start();
      // Agents' hooks queue reports here when the hub is slow; the bridge delivers them too.
      reportDrain = startReportDrain(new ReportQueue(stateDir, deadLetters), (events, signal) => postEvents(target, events, signal), log);
      const s = sync;
      watcher = new FolderWatcher(paths, () => void s.request().catch((e: Error) => log.error(`sync failed: ${e.message}`)));
      presence = new PresenceReporter({
        agentId,
        source: hostKey(),
        heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
        healthIntervalMs: options.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS,
        queueDepth: () => {
          const view = s.current;
          return view ? countReadyTasks(view.tasks[view.currentTag]) : 0;
        },
        sendLive: liveSender(target, outbox, delivery, log),
      });
      presence.start();
      log.info(`bridging ${paths.tasksFile} → ${hubLabel}`);
      log.info(`channel ${channel}: the dashboard is at ${dashboardUrl}`);
    },

    async sync() {
      await sync?.request();
    },

    async flush(timeoutMs) {
      return delivery ? delivery.flush(timeoutMs) : true;
    },

    async stop(flushTimeoutMs = DEFAULT_STOP_FLUSH_MS) {
      watcher?.close();
      presence?.stop();
      await sync?.request().catch(() => {});
      await queueStatus("offline");
      await reportDrain?.stop();
      const delivered = delivery ? await delivery.flush(flushTimeoutMs) : true;
      if (!delivered) log.warn(`${outbox?.size ?? 0} event(s) stay in the outbox; they are sent on the next start`);
      await delivery?.stop();
      await releaseLock?.();
      releaseLock = null;
    },
  };
}
