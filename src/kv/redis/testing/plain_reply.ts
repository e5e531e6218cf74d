/**
 * TEST-ONLY: a `Reply` as plain values for readable assertions: bulk strings as latin1 text,
 * integers as numbers (bigint beyond 2^53), null as null, arrays as arrays, and the tagged forms
 * `{ set: [...] }`, `{ map: [[k, v], ...] }`, `{ error: "..." }`, `{ simple: "..." }`,
 * `{ double: "..." }`, `{ nullArray: true }`.
 */
import type { Reply } from "../reply.js";

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
  }
}

/** A reply's items sorted (SMEMBERS, HKEYS, ...: Redis's order is its hash table's). */
export function sortedItems(reply: Reply): string[] {
  const value = plain(reply);
  const items = Array.isArray(value) ? value : typeof value === "object" && value !== null && "set" in value
    ? value.set : [];
  return items.map((item) => (typeof item === "string" ? item : JSON.stringify(item))).sort();
}
