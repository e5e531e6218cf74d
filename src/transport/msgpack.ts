/**
 * The one place msgpackr is configured. Records (msgpackr's shared-structure extension) are off:
 * every frame decodes on its own, so a peer cannot define state that changes how later frames
 * decode. Numbers beyond 32 bits are written as float64, which holds every safe integer.
 */
import { Packr, Unpackr } from "msgpackr";
import { MessageDecodeError } from "./errors.js";

const packr = new Packr({ useRecords: false });

export function packValue(value: unknown): Uint8Array {
  return packr.pack(value);
}

/**
 * A new decoder; use one per connection so nothing a peer sends is shared with another peer.
 */
export function newUnpacker(): (bytes: Uint8Array) => unknown {
  const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
  return (bytes) => {
    try {
      return unpackr.unpack(bytes) as unknown;
    } catch (error: unknown) {
      // msgpackr throws plain Errors for truncated, trailing or invalid data.
      const reason = error instanceof Error ? error.message : "?";
      throw new MessageDecodeError("", `not valid msgpack (${reason})`);
    }
  };
}
