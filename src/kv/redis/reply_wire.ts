/**
 * Replies as plain msgpack values, for the client-session table (a duplicate entry gets the
 * reply its first application gave) in memory and in snapshots.
 */
import type { Reply } from "./reply.js";

export function replyToWire(reply: Reply): unknown {
  switch (reply.type) {
    case "simple":
      return ["+", reply.text];
    case "error":
      return ["-", reply.text];
    case "integer":
      return [":", reply.value.toString()];
    case "bulk":
      return ["$", typeof reply.value === "string" ? Buffer.from(reply.value) : reply.value];
    case "null":
      return ["_"];
    case "nullArray":
      return ["*-"];
    case "array":
      return ["*", reply.items.map(replyToWire)];
    case "set":
      return ["~", reply.items.map(replyToWire)];
    case "map":
      return ["%", reply.entries.flatMap(([k, v]) => [replyToWire(k), replyToWire(v)])];
    case "pairs":
      return ["*2", reply.entries.flatMap(([k, v]) => [replyToWire(k), replyToWire(v)])];
    case "double":
      return [",", reply.text];
    case "verbatim":
      return ["=", reply.format, reply.text];
  }
}

/** @throws Error when `wire` is not a reply's wire form. */
export function replyFromWire(wire: unknown): Reply {
  if (!Array.isArray(wire)) throw new Error("reply wire form is not a list");
  const [tag, a, b] = wire as unknown[];
  const text = (value: unknown): string => {
    if (typeof value !== "string") throw new Error("reply wire text is not a string");
    return value;
  };
  const list = (value: unknown): Reply[] => {
    if (!Array.isArray(value)) throw new Error("reply wire items are not a list");
    return (value as unknown[]).map(replyFromWire);
  };
  switch (tag) {
    case "+": return { type: "simple", text: text(a) };
    case "-": return { type: "error", text: text(a) };
    case ":": return { type: "integer", value: BigInt(text(a)) };
    case "$":
      if (!(a instanceof Uint8Array)) throw new Error("reply wire bulk is not binary");
      return { type: "bulk", value: Uint8Array.from(a) };
    case "_": return { type: "null" };
    case "*-": return { type: "nullArray" };
    case "*": return { type: "array", items: list(a) };
    case "~": return { type: "set", items: list(a) };
    case "%": {
      const flat = list(a);
      const entries: [Reply, Reply][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i] as Reply, flat[i + 1] as Reply]);
      return { type: "map", entries };
    }
    case "*2": {
      const flat = list(a);
      const entries: [Reply, Reply][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i] as Reply, flat[i + 1] as Reply]);
      return { type: "pairs", entries };
    }
    case ",": return { type: "double", text: text(a) };
    case "=": return { type: "verbatim", format: text(a), text: text(b) };
    default: throw new Error(`reply wire tag ${JSON.stringify(tag)} is unknown`);
  }
}
