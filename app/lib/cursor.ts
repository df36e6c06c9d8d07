/**
 * A list's cursor as it may come in an address (see app/lib/keyset.server.ts): base64url, short.
 * Kept apart from the codec so that the filters' schemas, which browsers load too, can check it.
 */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,1000}$/;
