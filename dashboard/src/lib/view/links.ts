/** The dashboard's own URLs. */

export function channelHref(channel: string): string {
  return `/c/${encodeURIComponent(channel)}`;
}

/** The deep link of a task or subtask's detail view: `/c/<channel>/t/<tag>/<id>`. */
export function taskHref(channel: string, tag: string, id: string): string {
  return `${channelHref(channel)}/t/${encodeURIComponent(tag)}/${encodeURIComponent(id)}`;
}
