/**
 * The one parser of "host:port" addresses (peer, Redis and HTTP listeners) for every layer: the
 * node's address book, the config file, the HTTP admin API. IPv6 hosts are written in brackets
 * ("[::1]:7001") and returned without them; the port must be 1-65535.
 */

/** The shape of "host:port"; the port's range is checked by `parseHostPort`. */
export const HOST_PORT_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The host and port of `text`, or null when it is not a "host:port" with a port in range. */
export function parseHostPort(text: string): HostPort | null {
  const match = HOST_PORT_PATTERN.exec(text);
  const host = match?.[1];
  const port = Number(match?.[2]);
  if (host === undefined || !(port >= 1 && port <= 65_535)) return null;
  return { host: host.replace(/^\[|\]$/g, ""), port };
}
