/**
 * Numeric query parameters are digits only: `Number()` would also take "0x10",
 * "1e3", " 5" or "1.5", and a sender who writes those has a bug we should name.
 */
type NumberParam = { readonly ok: true; readonly value: number | undefined } | { readonly ok: false };

const DIGITS = /^\d+$/;

/** Absent or empty is `undefined`; otherwise digits only, at most `max`. */
export function parseDigitsParam(raw: string | undefined, max: number): NumberParam {
  if (raw === undefined || raw === "") return { ok: true, value: undefined };
  // The length guard keeps "000…0005" of a megabyte from being a number we accept.
  if (!DIGITS.test(raw) || raw.length > String(max).length) return { ok: false };
  const value = Number(raw);
  return value <= max ? { ok: true, value } : { ok: false };
}
