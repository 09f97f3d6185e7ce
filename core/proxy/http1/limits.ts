/**
 * Every cap and size of the HTTP/1.1 upstream client, in one place.
 */

/**
 * Largest response head (status line + headers + the blank line), and largest trailer
 * section. 16 KiB is what Node's http client and undici (which served this path before)
 * allow; Kong's nginx allows 160k by default (proxy_buffer_size). A larger head is a 502.
 */
export const MAX_HEAD_BYTES = 16 * 1024;

/** Interim (1xx) responses consumed before the final one; one more is a 502 (a 1xx flood). */
export const MAX_INTERIM_RESPONSES = 16;

/** Longest chunk-size line (size + extensions): bounds what an upstream can make us scan. */
export const MAX_CHUNK_LINE_BYTES = 4096;

/**
 * Per-connection read buffer: the socket reads straight into it (net `onread`), so a read
 * allocates nothing. Body chunks handed to the handler are views of it (see connection.ts).
 */
export const READ_BUFFER_BYTES = 32 * 1024;

/** A Buffer body up to this size goes out in the same write as the head (one copy, one syscall). */
export const COALESCE_BODY_BYTES = 32 * 1024;

/** Upper bound of connections per origin per worker (as the undici pools had). */
export const CONNECTIONS_PER_ORIGIN = 512;

/** An idle keep-alive connection is closed after this long (or the upstream's Keep-Alive hint minus a second). */
export const KEEP_ALIVE_MS = 60_000;

/** Below this, an upstream Keep-Alive `timeout=` hint means: do not reuse the connection at all. */
export const KEEP_ALIVE_MARGIN_MS = 1000;

/**
 * Timeouts are checked by one interval per worker at this period (timeouts.ts): a
 * deadline fires between its time and two ticks later, never early.
 */
export const TIMER_TICK_MS = 50;
