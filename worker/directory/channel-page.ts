/**
 * One page of the directory (`GET /api/channels?limit=&cursor=`). The
 * cursor is the last channel name of the previous page (pages are in name
 * order), so a page never repeats or skips a channel that existed across
 * both requests.
 */
export interface ChannelPageQuery {
  readonly limit: number;
  /** List channels named after this one; null from the start. */
  readonly after: string | null;
}
