import { describe, expect, it } from "vitest";
import { DebugRecorder } from "../../../dashboard/src/lib/live/debug-recorder.ts";
import { redactCredentials } from "../../../dashboard/src/lib/live/redact.ts";
import { MAX_DEBUG_FRAME_CHARS } from "../../../dashboard/src/lib/live/tuning.ts";
import { makeHarness, startLive } from "./harness.ts";

// Shaped like worker/auth/tickets.ts issues them: v1.<base64url payload>.<base64url signature>.
const TICKET = "v1.eyJjaCI6WyJkZW1vIl0sImV4cCI6MTc2NzIyNTYwMH0.Xk3_q-9aZ0pLmN4bVcR2sT8uWyE5dFgHiJ1oKe7rTq0";
const TOKEN = "s3cret-dashboard-token";

describe("redactCredentials", () => {
  it("masks a ticket in a WebSocket URL's query, keeping the other parameters", () => {
    const url = `ws://127.0.0.1:8787/ws/demo?since=12&epoch=e1&ticket=${TICKET}`;
    expect(redactCredentials(url)).toBe("ws://127.0.0.1:8787/ws/demo?since=12&epoch=e1&ticket=v1.…redacted");
    expect(redactCredentials(`wss://hub/ws/demo?ticket=${encodeURIComponent(TOKEN)}&since=3`)).toBe("wss://hub/ws/demo?ticket=…redacted&since=3");
  });

  it("masks the ticket of an auth frame, whatever it looks like", () => {
    expect(redactCredentials(JSON.stringify({ type: "auth", ticket: TICKET }))).toBe('{"type":"auth","ticket":"v1.…redacted"}');
    expect(redactCredentials('{"type":"auth", "ticket" : "ticket-7"}')).toBe('{"type":"auth", "ticket" : "…redacted"}');
    expect(redactCredentials(JSON.stringify({ ticket: 'a"b\\c' }))).toBe('{"ticket":"…redacted"}');
  });

  it("masks bearer credentials and a token in a fragment or a JSON body", () => {
    expect(redactCredentials(`authorization: Bearer ${TICKET}`)).toBe("authorization: Bearer v1.…redacted");
    expect(redactCredentials(`{"authorization":"Bearer ${TOKEN}"}`)).toBe('{"authorization":"Bearer …redacted"}');
    expect(redactCredentials(`http://127.0.0.1:8787/#token=${TOKEN}`)).toBe("http://127.0.0.1:8787/#token=…redacted");
    expect(redactCredentials(JSON.stringify({ token: TOKEN }))).toBe('{"token":"…redacted"}');
  });

  it("masks a bare ticket anywhere in a message", () => {
    expect(redactCredentials(`the hub refused ${TICKET} (expired)`)).toBe("the hub refused v1.…redacted (expired)");
  });

  it("leaves texts without credentials alone", () => {
    for (const text of [
      '{"type":"delta","seq":4,"epoch":"e1","changes":[]}',
      "socket closed: 4001 the ticket has expired; get a new one from POST /api/auth/ticket",
      "GET /api/channels/demo/deltas?since=4&epoch=e1&wait=25",
      "renewed the connection's ticket",
      "hello: resuming after seq 3, 2 deltas to replay",
      "bridge v1.2.3 sent 4 events",
    ]) {
      expect(redactCredentials(text)).toBe(text);
    }
  });
});

describe("DebugRecorder", () => {
  it("records frames and log lines redacted, before cutting them to size", () => {
    const recorder = new DebugRecorder();
    const padding = "x".repeat(MAX_DEBUG_FRAME_CHARS - 30);
    recorder.frame("out", 1, JSON.stringify({ padding, type: "auth", ticket: TICKET }));
    recorder.log(2, `socket url ws://hub/ws/demo?ticket=${TICKET}`);
    const info = recorder.info(3);
    const texts = [...info.lastFrames, ...info.log].map((entry) => entry.text);
    expect(texts.join("\n")).not.toMatch(/v1\.[A-Za-z0-9_-]{4}/);
    expect(texts.join("\n")).not.toContain(TICKET.slice(3, 20));
    expect(info.log[0]?.text).toBe("socket url ws://hub/ws/demo?ticket=v1.…redacted");
  });
});

describe("LiveChannel debug info", () => {
  it("shows a renewal's auth frame without its ticket", async () => {
    const h = makeHarness();
    h.tickets.nextRefreshAtMs = h.clock.now() + 30_000;
    const socket = await startLive(h);
    h.tickets.expire();
    await h.clock.run(30_000);
    expect(socket.sentFrames).toContainEqual({ type: "auth", ticket: "ticket-2" });

    const debug = h.live.debug;
    const shown = JSON.stringify({ log: debug.log, frames: debug.lastFrames, status: h.live.status });
    expect(shown).not.toMatch(/ticket-\d/);
    expect(debug.lastFrames.map((frame) => frame.text)).toContain('{"type":"auth","ticket":"…redacted"}');
  });
});
