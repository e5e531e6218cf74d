/**
 * TEST-ONLY: a `Reply` as plain data for readable assertions: bulk and simple strings as latin1
 * text, integers as numbers, null, arrays, `{ error }` (`plainReply`); or keeping each RESP3
 * type apart, tagged: `{ set: [...] }`, `{ map: [[k, v], ...] }`, `{ simple }`, `{ double }`,
 * `{ nullArray: true }` (`plain`), where a test is about the type.
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

/** A reply with its RESP3 type kept (see the file comment). */
export type Plain =
  | string | number | bigint | null | Plain[]
  | { set: Plain[] } | { map: [Plain, Plain][] } | { error: string } | { simple: string }
  | { double: string } | { nullArray: true } | { verbatim: string };

export function plain(reply: Reply): Plain {
  switch (reply.type) {
    case "bulk":
      return typeof reply.value === "string" ? reply.value : Buffer.from(reply.value).toString("latin1");
    case "integer": {
      const n = Number(reply.value);
      return Number.isSafeInteger(n) ? n : BigInt(reply.value);
    }
    case "null":
      return null;
    case "nullArray":
      return { nullArray: true };
    case "array":
      return reply.items.map(plain);
    case "set":
      return { set: reply.items.map(plain) };
    case "map":
      return { map: reply.entries.map(([k, v]) => [plain(k), plain(v)]) };
    case "error":
      return { error: reply.text };
    case "simple":
      return { simple: reply.text };
    case "double":
      return { double: reply.text };
    case "verbatim":
      return { verbatim: reply.text };
    case "pairs":
      return reply.entries.map(([a, b]) => [plain(a), plain(b)]);
  }
}

/** A reply's items sorted (SMEMBERS, HKEYS, ...: Redis's order is its hash table's). */
export function sortedItems(reply: Reply): string[] {
  const value = plain(reply);
  const items = Array.isArray(value) ? value : typeof value === "object" && value !== null && "set" in value
    ? value.set : [];
  return items.map((item) => (typeof item === "string" ? item : JSON.stringify(item))).sort();
}
