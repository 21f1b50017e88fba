import { describe, expect, it } from "vitest";
import type { ChannelMetrics } from "../../../protocol/index.ts";
import { formatPrometheus } from "../../../worker/http/prometheus.ts";

const metrics: ChannelMetrics = {
  channel: "demo",
  connections: { now: 3, peak: 7 },
  framesOut: 120,
  bytesOut: 45_678,
  events: { accepted: 100, duplicate: 4, stale: 2, rejected: 1 },
  replays: { recovered: 5, snapshot: 6 },
  ingestToBroadcastMs: { p50: 12, p99: 250, samples: 100 },
  log: { epoch: "ep-1", head: 100, oldest: 1 },
};

describe("formatPrometheus", () => {
  it("writes the text exposition format", () => {
    expect(formatPrometheus(metrics)).toBe(
      [
        "# HELP taskmaster_live_connections Open WebSocket connections.",
        "# TYPE taskmaster_live_connections gauge",
        'taskmaster_live_connections{channel="demo"} 3',
        "# HELP taskmaster_live_connections_peak Most WebSocket connections open at once.",
        "# TYPE taskmaster_live_connections_peak gauge",
        'taskmaster_live_connections_peak{channel="demo"} 7',
        "# HELP taskmaster_live_frames_out_total Frames sent to viewers.",
        "# TYPE taskmaster_live_frames_out_total counter",
        'taskmaster_live_frames_out_total{channel="demo"} 120',
        "# HELP taskmaster_live_bytes_out_total UTF-8 bytes of the frames sent to viewers.",
        "# TYPE taskmaster_live_bytes_out_total counter",
        'taskmaster_live_bytes_out_total{channel="demo"} 45678',
        "# HELP taskmaster_live_events_total Webhook events, by outcome.",
        "# TYPE taskmaster_live_events_total counter",
        'taskmaster_live_events_total{channel="demo",outcome="accepted"} 100',
        'taskmaster_live_events_total{channel="demo",outcome="duplicate"} 4',
        'taskmaster_live_events_total{channel="demo",outcome="stale"} 2',
        'taskmaster_live_events_total{channel="demo",outcome="rejected"} 1',
        "# HELP taskmaster_live_replays_total Socket resumes, by how they caught up.",
        "# TYPE taskmaster_live_replays_total counter",
        'taskmaster_live_replays_total{channel="demo",mode="recovered"} 5',
        'taskmaster_live_replays_total{channel="demo",mode="snapshot"} 6',
        "# HELP taskmaster_live_ingest_to_broadcast_seconds Webhook receipt to broadcast, over the last samples since the object started.",
        "# TYPE taskmaster_live_ingest_to_broadcast_seconds gauge",
        'taskmaster_live_ingest_to_broadcast_seconds{channel="demo",quantile="0.5"} 0.012',
        'taskmaster_live_ingest_to_broadcast_seconds{channel="demo",quantile="0.99"} 0.25',
        "# HELP taskmaster_live_ingest_to_broadcast_samples Samples behind the ingest-to-broadcast quantiles.",
        "# TYPE taskmaster_live_ingest_to_broadcast_samples gauge",
        'taskmaster_live_ingest_to_broadcast_samples{channel="demo"} 100',
        "# HELP taskmaster_live_log_head_seq Newest seq of the delta log.",
        "# TYPE taskmaster_live_log_head_seq gauge",
        'taskmaster_live_log_head_seq{channel="demo"} 100',
        "# HELP taskmaster_live_log_oldest_seq Oldest retained seq of the delta log.",
        "# TYPE taskmaster_live_log_oldest_seq gauge",
        'taskmaster_live_log_oldest_seq{channel="demo"} 1',
        "# HELP taskmaster_live_log_epoch_info The log's current epoch, as a label.",
        "# TYPE taskmaster_live_log_epoch_info gauge",
        'taskmaster_live_log_epoch_info{channel="demo",epoch="ep-1"} 1',
        "",
      ].join("\n"),
    );
  });

  it("reports an empty latency window as NaN and escapes label values", () => {
    const text = formatPrometheus({ ...metrics, ingestToBroadcastMs: { p50: null, p99: null, samples: 0 }, log: { ...metrics.log, epoch: 'a"b\\c\nd' } });
    expect(text).toContain('taskmaster_live_ingest_to_broadcast_seconds{channel="demo",quantile="0.5"} NaN\n');
    expect(text).toContain('taskmaster_live_log_epoch_info{channel="demo",epoch="a\\"b\\\\c\\nd"} 1\n');
  });
});
