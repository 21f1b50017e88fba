/**
 * The hook's POST: node:http(s) rather than fetch. A hook starts a process
 * on every tool use, and loading fetch's implementation costs more than the
 * whole rest of the call. node:http is taken with `getBuiltinModule`: an ESM
 * import of it builds its whole namespace, which loads fetch's code anyway.
 * The answer is read the same way as the bridge's (`classifyResponse`).
 */
import type { IncomingMessage } from "node:http";
import { Paths, trimBaseUrl, webhookHeaders, type HubEvent } from "../../../protocol/index.ts";
import { classifyResponse, type PostOutcome } from "../delivery/hub-poster.ts";

export interface HttpTarget {
  readonly hub: string;
  readonly channel: string;
  readonly secret: string;
}

/** Posts one batch; resolves (never rejects) with what the answer means, or `unreachable` when `signal` fires first. */
export async function postOverHttp(target: HttpTarget, events: readonly HubEvent[], signal: AbortSignal): Promise<PostOutcome> {
  const body = JSON.stringify({ events });
  const headers = await webhookHeaders(target.secret, body);
  const url = new URL(trimBaseUrl(target.hub) + Paths.webhook(target.channel));
  const { request } = url.protocol === "https:" ? process.getBuiltinModule("node:https") : process.getBuiltinModule("node:http");
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    const onAbort = () => {
      req.destroy();
      finish({ kind: "unreachable", message: "no answer within the deadline" });
    };
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)), connection: "close" } }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const retryAfter = res.headers["retry-after"];
        finish(classifyResponse(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"), typeof retryAfter === "string" ? retryAfter : null));
      });
      res.on("error", (error) => finish({ kind: "unreachable", message: error.message }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => finish({ kind: "unreachable", message: error.code ? `${error.code} ${url.host}` : error.message }));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    req.end(body);
  });
}

/**
 * A deadline that keeps the process alive until it fires (AbortSignal.timeout's
 * timer does not): a call waiting on it always ends, by an answer or by the deadline.
 */
export function deadline(ms: number): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, "TimeoutError")), ms);
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}
