/** `GET /api/channels/:channel/metrics?format=prometheus`: the same numbers as the JSON, in the text exposition format. */
import { describe, expect, it } from "vitest";
import { Paths } from "../../protocol/index.ts";
import { ev } from "../../dev/events.ts";
import { hub, metrics, send, uniqueChannel } from "./support/hub.ts";

describe("metrics in the Prometheus format", () => {
  it("answers text/plain version 0.0.4 with the channel's counters, gauges and quantiles", async () => {
    const channel = uniqueChannel("prom");
    const first = ev.meta({ name: "p" });
    await send(channel, first, ev.agentStatus("a1", "busy"));
    await send(channel, first);
    const json = await metrics(channel);

    const res = await hub.get(`${Paths.metrics(channel)}?format=prometheus`, await hub.ticket([channel]));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    const label = `channel="${channel}"`;
    expect(text).toContain("# TYPE taskmaster_live_events_total counter\n");
    expect(text).toContain(`taskmaster_live_events_total{${label},outcome="accepted"} 2\n`);
    expect(text).toContain(`taskmaster_live_events_total{${label},outcome="duplicate"} 1\n`);
    expect(text).toContain(`taskmaster_live_log_head_seq{${label}} 2\n`);
    expect(text).toContain(`taskmaster_live_log_epoch_info{${label},epoch="${json.log.epoch}"} 1\n`);
    expect(text).toMatch(new RegExp(`taskmaster_live_ingest_to_broadcast_seconds\\{${label},quantile="0\\.99"\\} \\d`));
    // Every line is a comment or `name{labels} value`.
    for (const line of text.trimEnd().split("\n")) expect(line).toMatch(/^(# (HELP|TYPE) taskmaster_live_\w+ .+|taskmaster_live_\w+\{[^}]*\} (NaN|-?\d+(\.\d+)?(e[-+]?\d+)?))$/);
  });
});
