/** Wire protocol version, sent in every `hello` frame. Bump on breaking changes only. */
export const PROTOCOL_VERSION = 2;
