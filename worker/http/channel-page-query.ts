/** The query of `GET /api/channels?limit=&cursor=`, parsed strictly: a bad one is a 400 before the directory is asked. */
import { CHANNEL_NAME_RULE, DEFAULT_CHANNELS_PAGE_SIZE, MAX_CHANNELS_PAGE_SIZE, isChannelName } from "../../protocol/index.ts";
import type { ChannelPageQuery } from "../directory/channel-page.ts";
import { parseDigitsParam } from "./query-params.ts";

export type ParsedPageQuery = { readonly ok: true; readonly query: ChannelPageQuery } | { readonly ok: false; readonly message: string };

export function parseChannelPageQuery(limit: string | undefined, cursor: string | undefined): ParsedPageQuery {
  const size = parseDigitsParam(limit, MAX_CHANNELS_PAGE_SIZE);
  if (!size.ok || size.value === 0) return { ok: false, message: `limit must be an integer from 1 to ${MAX_CHANNELS_PAGE_SIZE}` };
  if (cursor !== undefined && cursor !== "" && !isChannelName(cursor)) {
    return { ok: false, message: `cursor must be the nextCursor of a previous page (${CHANNEL_NAME_RULE})` };
  }
  return { ok: true, query: { limit: size.value ?? DEFAULT_CHANNELS_PAGE_SIZE, after: cursor || null } };
}
