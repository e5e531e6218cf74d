/**
 * TEST-ONLY: a `Reply` as plain data for readable assertions: bulk and simple strings as latin1
 * text, integers as numbers, null, arrays, `{ error }`.
 */
import type { Reply } from "../reply.js";

export function plainReply(reply: Reply): unknown {
  switch (reply.type) {
    case "bulk":
      return typeof reply.value === "string" ? reply.value : Buffer.from(reply.value).toString("latin1");
    case "simple":
    case "double":
    case "verbatim":
      return reply.text;
    case "integer":
      return Number(reply.value);
    case "null":
    case "nullArray":
      return null;
    case "error":
      return { error: reply.text };
    case "array":
    case "set":
      return reply.items.map(plainReply);
    case "map":
      return reply.entries.map(([k, v]) => [plainReply(k), plainReply(v)]);
    case "pairs":
      return reply.entries.flatMap(([a, b]) => [plainReply(a), plainReply(b)]);
  }
}
