/**
 * A channel's metrics in the Prometheus text exposition format (version 0.0.4),
 * for `GET /api/channels/:channel/metrics?format=prometheus`. Pure, so the exact
 * text is unit-tested.
 */
import type { ChannelMetrics } from "../../protocol/index.ts";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const PREFIX = "taskmaster_live_";

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly name: string;
  readonly type: "counter" | "gauge";
  readonly help: string;
  readonly samples: readonly { readonly labels?: Labels; readonly value: number | null }[];
}

export function formatPrometheus(m: ChannelMetrics): string {
  const families: Family[] = [
    gauge("connections", "Open WebSocket connections.", [{ value: m.connections.now }]),
    gauge("connections_peak", "Most WebSocket connections open at once.", [{ value: m.connections.peak }]),
    counter("frames_out_total", "Frames sent to viewers.", [{ value: m.framesOut }]),
    counter("bytes_out_total", "UTF-8 bytes of the frames sent to viewers.", [{ value: m.bytesOut }]),
    counter("events_total", "Webhook events, by outcome.", [
      { labels: { outcome: "accepted" }, value: m.events.accepted },
      { labels: { outcome: "duplicate" }, value: m.events.duplicate },
      { labels: { outcome: "stale" }, value: m.events.stale },
      { labels: { outcome: "rejected" }, value: m.events.rejected },
    ]),
    counter("replays_total", "Socket resumes, by how they caught up.", [
      { labels: { mode: "recovered" }, value: m.replays.recovered },
      { labels: { mode: "snapshot" }, value: m.replays.snapshot },
    ]),
    gauge("ingest_to_broadcast_seconds", "Webhook receipt to broadcast, over the last samples since the object started.", [
      { labels: { quantile: "0.5" }, value: secondsOrNull(m.ingestToBroadcastMs.p50) },
      { labels: { quantile: "0.99" }, value: secondsOrNull(m.ingestToBroadcastMs.p99) },
    ]),
    gauge("ingest_to_broadcast_samples", "Samples behind the ingest-to-broadcast quantiles.", [{ value: m.ingestToBroadcastMs.samples }]),
    gauge("log_head_seq", "Newest seq of the delta log.", [{ value: m.log.head }]),
    gauge("log_oldest_seq", "Oldest retained seq of the delta log.", [{ value: m.log.oldest }]),
    gauge("log_epoch_info", "The log's current epoch, as a label.", [{ labels: { epoch: m.log.epoch }, value: 1 }]),
  ];
  return families.map((family) => formatFamily(family, { channel: m.channel })).join("");
}

const gauge = (name: string, help: string, samples: Family["samples"]): Family => ({ name, type: "gauge", help, samples });
const counter = (name: string, help: string, samples: Family["samples"]): Family => ({ name, type: "counter", help, samples });

function secondsOrNull(ms: number | null): number | null {
  return ms === null ? null : ms / 1000;
}

function formatFamily(family: Family, common: Labels): string {
  const name = PREFIX + family.name;
  const lines = [`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`];
  for (const sample of family.samples) lines.push(`${name}{${formatLabels({ ...common, ...sample.labels })}} ${formatValue(sample.value)}`);
  return lines.join("\n") + "\n";
}

function formatLabels(labels: Labels): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}="${escapeLabelValue(value)}"`)
    .join(",");
}

/** The format escapes backslash, double quote and line feed in label values. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** No sample yet is NaN, as Prometheus client libraries report an empty quantile. */
function formatValue(value: number | null): string {
  if (value === null || Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
