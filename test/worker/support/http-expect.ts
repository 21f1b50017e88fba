/** Exact checks of the hub's answers. */
import { expect } from "vitest";
import type { ErrorBody, ErrorCode } from "../../../protocol/index.ts";

/** Asserts the status and the whole `{ error: { code, message, details? } }` body; returns it. */
export async function expectError(res: Response, status: number, error: { code: ErrorCode; message: string | RegExp; details?: unknown }): Promise<ErrorBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  const expected: Record<string, unknown> = {
    code: error.code,
    message: typeof error.message === "string" ? error.message : expect.stringMatching(error.message),
  };
  if (error.details !== undefined) expected.details = error.details;
  expect(body).toStrictEqual({ error: expected });
  return body;
}
