/**
 * Protected mode, as Redis has it: a server with no users configured accepts clients only from
 * the loopback interface. Two guards: `assertBindAllowed` refuses at start to listen on a
 * non-loopback address with no users (so the mistake is found by the operator, not by an
 * attacker), and `protectedModeRefusal` refuses each connection from elsewhere (defence in depth
 * for embedders that start the servers directly). Both are off with `protectedMode: false`.
 */
import { isIP, type Socket } from "node:net";

/** Listening on a non-loopback address with no users configured, under protected mode. */
export class ProtectedModeBindError extends Error {
  override readonly name = "ProtectedModeBindError";
  readonly code = "PROTECTED_MODE_BIND";
  constructor(readonly what: string, readonly host: string) {
    super(`Refusing to serve ${what} on ${host}: no users are configured, so anyone who can ` +
      "reach that address could read, write and reconfigure the cluster. Set users " +
      "(users: in the config file, or requirepass: / requirepassFile: / RAFTKV_REQUIREPASS), " +
      "or listen on 127.0.0.1, or set protectedMode: false if the network itself is trusted.");
  }
}

/** The first line Redis sends in protected mode, in raftkv's words. */
export const PROTECTED_MODE_TEXT =
  "DENIED raftkv is running in protected mode because no users are configured. In this mode " +
  "connections are only accepted from the loopback interface. To connect from other computers, " +
  "configure users (users: or requirepass: in the config file, or RAFTKV_REQUIREPASS) and " +
  "restart the node, or set protectedMode: false if the network is trusted.";

/** Whether a connection's remote address is loopback (127.0.0.0/8, ::1, IPv4-mapped 127/8). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith("127.");
  return address === "::1";
}

/** Whether listening on `host` keeps a port to this machine ("localhost" counts). */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || isLoopbackAddress(host.replace(/^\[|\]$/g, ""));
}

/** What protected mode needs to know about the server's auth configuration. */
export interface ProtectedModeState {
  readonly enabled: boolean;
  readonly protectedMode: boolean;
}

/**
 * @throws ProtectedModeBindError when `host` is not loopback, no users are configured and
 *   protected mode is on.
 */
export function assertBindAllowed(state: ProtectedModeState, what: string, host: string): void {
  if (state.protectedMode && !state.enabled && !isLoopbackHost(host)) {
    throw new ProtectedModeBindError(what, host);
  }
}

/** Whether a client at `remoteAddress` must be refused under protected mode. */
export function isRefusedByProtectedMode(
  state: ProtectedModeState,
  remoteAddress: string | undefined,
): boolean {
  return state.protectedMode && !state.enabled && !isLoopbackAddress(remoteAddress);
}

/** How long a refused connection may take to read its refusal before it is destroyed. */
const REFUSAL_LINGER_MS = 1000;

/**
 * Writes `text` and closes: input is discarded (so the client's FIN is seen and the socket
 * closes; a client that never stops sending is destroyed after a second).
 */
export function refuseConnection(socket: Socket, text: string): void {
  socket.on("error", () => undefined);
  socket.resume();
  socket.end(text);
  setTimeout(() => { socket.destroy(); }, REFUSAL_LINGER_MS).unref();
}
