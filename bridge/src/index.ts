/**
 * The bridge's importable API.
 *
 * @example
 * import { createBridge, reportAgentStatus } from "taskmaster-live/bridge/src/index.ts";
 * // The key: TASKMASTER_LIVE_KEY (the channel's), TASKMASTER_LIVE_KEY_FILE, or WEBHOOK_SECRET (the hub's, derived per channel).
 * const bridge = createBridge({ dir: ".", hub: "http://127.0.0.1:8787", channel: "my-app" });
 * await bridge.start();
 * await reportAgentStatus({ channel: "my-app", agentId: "coder-1", status: "busy", taskId: "5.2" });
 */
export { createBridge, type Bridge, type BridgeOptions } from "./bridge.ts";
export { reportAgentStatus, AgentReportError, type ReportAgentStatusOptions } from "./agent/report-agent-status.ts";
export { startDemoFeed, type DemoFeed, type DemoFeedOptions } from "./demo/demo-feed.ts";
export { ConfigError, DEFAULT_HUB_URL, channelFromFolderName } from "./config.ts";
export { channelKeyOf, parseChannelKey, senderCredential, type SenderCredential, type SenderKeyOptions } from "./sender-key.ts";
export { ProjectNotFoundError, findProject } from "./taskmaster/project-files.ts";
export { projectIdentity, type ProjectIdentity } from "./taskmaster/project-identity.ts";
export { complexityByTaskId, complexityReportFileName } from "./taskmaster/complexity-reports.ts";
export { InstanceLockedError } from "./files/instance-lock.ts";
export { normaliseTasksFile, currentTagOf, type NormalTask, type NormalSubtask, type TaskTree } from "./taskmaster/normalise.ts";
export { diffProjects, type ProjectChange, type ProjectView } from "./sync/differ.ts";
export { main } from "./cli/main.ts";
