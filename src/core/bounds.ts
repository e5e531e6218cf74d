/**
 * The documented ranges of the numbers Raft exchanges, in one place (STYLE.md rule 11). Terms and
 * log indexes live far below 2^53 (where JavaScript numbers stop being exact) so that a term can
 * always be incremented and an index always extended without ever reaching an unsafe value: a
 * node that reached `TERM_MAX` refuses to campaign (and says so) instead of crashing, and a peer
 * message carrying a number outside these bounds is dropped at decode (transport/message_codec).
 *
 * 2^48 leaves room for a term change every microsecond for almost nine years, and for 2^48 log
 * entries; no real cluster comes near either, so only a bug or a hostile peer can.
 */

/** The largest term a node accepts or reaches (§5.1). */
export const TERM_MAX = 2 ** 48;

/** The largest log index a node accepts or reaches (§5.3). */
export const LOG_INDEX_MAX = 2 ** 48;

/** The largest count, size, offset or identifier any peer message may carry. */
export const WIRE_COUNT_MAX = 2 ** 48;
