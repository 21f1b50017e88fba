/**
 * `GET /api/channels?limit=&cursor=`: the query of one page of the
 * directory. The cursor is the last channel name of the previous page
 * (pages are in name order), so a page never repeats or skips a channel
 * that existed across both requests.
 */
import { CHANNEL_NAME_RULE, DEFAULT_CHANNELS_PAGE_SIZE, MAX_CHANNELS_PAGE_SIZE, isChannelName } from "../../protocol/index.ts";

export interface ChannelPageQuery {
  readonly limit: number;
  /** List channels named after this one; null from the start. */
  readonly after: string | null;
}

export type ParsedPageQuery = { readonly ok: true; readonly query: ChannelPageQuery } | { readonly ok: false; readonly message: string };

export function parseChannelPageQuery(limit: string | undefined, cursor: string | undefined): ParsedPageQuery {
  let size = DEFAULT_CHANNELS_PAGE_SIZE;
  if (limit !== undefined && limit !== "") {
    // Digits only: "1e2", "0x10" or " 5" are not page sizes.
    size = /^\d{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (!(size >= 1 && size <= MAX_CHANNELS_PAGE_SIZE)) return { ok: false, message: `limit must be an integer from 1 to ${MAX_CHANNELS_PAGE_SIZE}` };
  }
  if (cursor !== undefined && cursor !== "" && !isChannelName(cursor)) {
    return { ok: false, message: `cursor must be the nextCursor of a previous page (${CHANNEL_NAME_RULE})` };
  }
  return { ok: true, query: { limit: size, after: cursor || null } };
}
