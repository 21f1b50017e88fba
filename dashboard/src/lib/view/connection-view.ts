/** What the connection bar says for each phase of the connection. */
import type { ConnectionStatus } from "../live/index.ts";

export type Tone = "good" | "busy" | "warn" | "bad";

export interface ConnectionView {
  /** Short label, e.g. "Live", "Catching up (42)". */
  readonly label: string;
  /** One sentence for the tooltip. */
  readonly description: string;
  readonly tone: Tone;
  /** Whether a "Retry now" button makes sense. */
  readonly canRetry: boolean;
}

/**
 * What the aria-live region says: changes with the phase (and the attempt),
 * not with every countdown second or delta, so screen readers are not flooded.
 */
export function connectionAnnouncement(status: ConnectionStatus): string {
  switch (status.phase) {
    case "connecting":
      return "Connecting to the hub.";
    case "catching-up":
      return "Catching up on missed updates.";
    case "live":
      return `Live${status.transport === "polling" ? " over long-polling" : ""}.`;
    case "reconnecting":
      return `Connection lost. Reconnecting, attempt ${status.attempt}.`;
    case "polling":
      return "WebSocket unavailable. Receiving updates by polling.";
    case "offline":
      return "Offline. The hub cannot be reached.";
    case "denied":
      return "Access denied. The dashboard token was refused.";
  }
}

export function connectionView(status: ConnectionStatus, nowMs: number): ConnectionView {
  const why = status.message ? ` ${status.message}` : "";
  switch (status.phase) {
    case "connecting":
      return { label: "Connecting", description: "Connecting to the hub.", tone: "busy", canRetry: false };
    case "catching-up":
      return {
        label: `Catching up (${status.behind})`,
        description: `Catching up: ${status.behind} ${status.behind === 1 ? "delta" : "deltas"} to apply.`,
        tone: "busy",
        canRetry: false,
      };
    case "live":
      return { label: "Live", description: `Live over ${status.transport === "polling" ? "long-polling" : "WebSocket"}.`, tone: "good", canRetry: false };
    case "reconnecting": {
      const seconds = status.nextRetryAtMs === null ? null : Math.max(0, Math.ceil((status.nextRetryAtMs - nowMs) / 1000));
      const next = seconds === null ? "" : seconds === 0 ? ", retrying now" : `, next try in ${seconds} s`;
      return {
        label: `Reconnecting (attempt ${status.attempt}${next})`,
        description: `Connection lost; reconnecting, attempt ${status.attempt}${next}.${why}`,
        tone: "warn",
        canRetry: true,
      };
    }
    case "polling":
      return {
        label: "Polling",
        description: "The WebSocket is unavailable; updates arrive by long-polling while it is retried in the background.",
        tone: "warn",
        canRetry: false,
      };
    case "offline":
      return { label: "Offline", description: `Offline: the hub cannot be reached.${why}`, tone: "bad", canRetry: true };
    case "denied":
      return {
        label: "Access denied",
        description: `Access denied: ${deniedReason(status.message)} The dashboard stopped retrying.`,
        tone: "bad",
        canRetry: true,
      };
  }
}

/** The layer's denial message as one sentence, without repeating "access denied". */
export function deniedReason(message: string | null): string {
  const reason = (message ?? "").replace(/^access denied:\s*/i, "").trim();
  if (!reason) return "The dashboard token was refused.";
  const sentence = reason.charAt(0).toUpperCase() + reason.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
