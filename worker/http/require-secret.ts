/** Answers 503 `not_configured`, naming the secret, while a secret a route needs is missing or empty. */
import type { MiddlewareHandler } from "hono";
import { ErrorCode } from "../../protocol/index.ts";
import type { Env } from "../env.ts";
import { logLine } from "../log.ts";
import { errorResponse } from "./errors.ts";

type RequiredSecret = "WEBHOOK_SECRET" | "DASHBOARD_TOKEN";

const PURPOSE: Readonly<Record<RequiredSecret, string>> = {
  WEBHOOK_SECRET: "to accept webhooks",
  DASHBOARD_TOKEN: "to admit viewers",
};

/**
 * A missing secret is an operator's mistake, not a fault to retry: without this guard an
 * empty `WEBHOOK_SECRET` fails every webhook with a 500 (WebCrypto refuses an empty HMAC
 * key), which senders retry forever.
 *
 * @example app.use(Routes.webhook.path, requireSecret("WEBHOOK_SECRET"))
 */
export function requireSecret(name: RequiredSecret): MiddlewareHandler<{ Bindings: Env }> {
  return async function secretGuard(c, next) {
    if (!c.env[name]) {
      logLine("config.missing", { secret: name, path: new URL(c.req.url).pathname });
      return errorResponse(c, ErrorCode.NOT_CONFIGURED, `the hub has no ${name}: set it (wrangler secret put ${name}) ${PURPOSE[name]}`);
    }
    await next();
  };
}
