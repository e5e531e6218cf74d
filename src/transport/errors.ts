/**
 * Expected failures of the transport, as typed errors with stable codes (STYLE.md rule 10). None of
 * them ever escapes into the event loop: a connection that produces one is logged and closed, and
 * the node's state is untouched. Callers branch on the class or `code`, never on message text.
 */

export abstract class TransportError extends Error {
  abstract readonly code: string;
}

/** A frame's length prefix announces more than `frameBytesMax`; detected before allocating it. */
export class FrameTooLargeError extends TransportError {
  override readonly name = "FrameTooLargeError";
  readonly code = "FRAME_TOO_LARGE";
  constructor(readonly frameBytes: number, readonly frameBytesMax: number) {
    super(`Frame of ${frameBytes} bytes exceeds the limit of ${frameBytesMax} bytes`);
  }
}

/** The stream ended inside a frame: `bufferedBytes` of an incomplete frame were left over. */
export class FrameTruncatedError extends TransportError {
  override readonly name = "FrameTruncatedError";
  readonly code = "FRAME_TRUNCATED";
  constructor(readonly bufferedBytes: number) {
    super(`Stream ended inside a frame with ${bufferedBytes} bytes of it received`);
  }
}

/** A frame did not hold a well-formed message: bad msgpack, or the wrong shape at `path`. */
export class MessageDecodeError extends TransportError {
  override readonly name: string = "MessageDecodeError";
  readonly code: "MESSAGE_MALFORMED" | "MESSAGE_OUT_OF_RANGE" = "MESSAGE_MALFORMED";
  constructor(readonly path: string, readonly reason: string) {
    super(`Malformed message at ${path === "" ? "top level" : path}: ${reason}`);
  }
}

/**
 * A well-typed number of a message lies outside its documented bound (TERM_MAX, LOG_INDEX_MAX,
 * WIRE_COUNT_MAX in core/bounds.ts): the message is dropped before the core sees it.
 */
export class MessageOutOfRangeError extends MessageDecodeError {
  override readonly name = "MessageOutOfRangeError";
  override readonly code = "MESSAGE_OUT_OF_RANGE";
  constructor(path: string, readonly value: number, readonly max: number, bound: string) {
    super(path, `${value} is past ${bound} (${max})`);
  }
}

/** A well-formed message arrived on a connection that may not carry it (wrong `from` or `to`). */
export class MessageMisaddressedError extends TransportError {
  override readonly name = "MessageMisaddressedError";
  readonly code = "MESSAGE_MISADDRESSED";
  constructor(reason: string) {
    super(`Misaddressed message: ${reason}`);
  }
}

/** Why a handshake was refused; sent to the other side and logged by both. */
export type HandshakeRejectReason =
  | "MALFORMED"
  | "VERSION_MISMATCH"
  | "CLUSTER_MISMATCH"
  | "UNKNOWN_NODE"
  | "WRONG_NODE"
  | "TIMEOUT"
  /** No peer certificate, or one the cluster CA did not sign (TLS peers). */
  | "UNTRUSTED_CERTIFICATE"
  /** A CA-signed certificate that does not name the node id claimed in the handshake. */
  | "CERTIFICATE_MISMATCH";

/** The handshake failed; `reason` says which check, the message says what was expected. */
export class HandshakeError extends TransportError {
  override readonly name = "HandshakeError";
  readonly code = "HANDSHAKE_REJECTED";
  constructor(readonly reason: HandshakeRejectReason, detail: string) {
    super(`Handshake rejected (${reason}): ${detail}`);
  }
}

/** The listener could not be opened (address in use, permission). */
export class ListenError extends TransportError {
  override readonly name = "ListenError";
  readonly code = "LISTEN_FAILED";
  constructor(readonly host: string, readonly port: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Cannot listen on ${host}:${port}: ${reason}`, { cause });
  }
}

/** The other side broke the protocol's sequence (for example, data where none is expected). */
export class ProtocolViolationError extends TransportError {
  override readonly name = "ProtocolViolationError";
  readonly code = "PROTOCOL_VIOLATION";
  constructor(reason: string) {
    super(`Protocol violation: ${reason}`);
  }
}

/**
 * Plaintext peer traffic was asked for on a listen address other than loopback: without TLS any
 * process that can reach the port could claim to be a member, so it is allowed only on loopback.
 */
export class PlaintextPeersRefusedError extends TransportError {
  override readonly name = "PlaintextPeersRefusedError";
  readonly code = "PLAINTEXT_PEERS_REFUSED";
  constructor(readonly host: string) {
    super(`Refusing plaintext peer traffic on ${host}: it is not a loopback address. ` +
      "Configure peer TLS (raftkv certs), or listen on 127.0.0.1 / ::1 for plaintext");
  }
}
