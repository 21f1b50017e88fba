/**
 * The security headers of protocol/security-headers.ts on every response the
 * Worker writes: API JSON, errors, 404s and 405s. Static assets get the same
 * set from the `_headers` file the dashboard build writes. A WebSocket
 * upgrade (101) is passed through untouched: re-wrapping it would drop its
 * socket.
 *
 * @example
 * app.use(securityHeaders());
 */
import type { MiddlewareHandler } from "hono";
import { securityHeaders as securityHeaderSet } from "../../protocol/security-headers.ts";

export function securityHeaders(): MiddlewareHandler {
  return async function securityHeadersMiddleware(c, next) {
    await next();
    if (c.res.status === 101) return;
    // A Durable Object's response has immutable headers: copy it before adding to them.
    const res = new Response(c.res.body, c.res);
    const https = new URL(c.req.url).protocol === "https:";
    for (const [name, value] of Object.entries(securityHeaderSet({ https }))) res.headers.set(name, value);
    c.res = undefined;
    c.res = res;
  };
}
