/**
 * TEST-ONLY: a reply as the RESP2 or RESP3 text Redis would send (what server/resp's encoder
 * writes), so kv tests can assert replies byte for byte against what redis-server answered
 * without importing the server layer. Bulk payloads are read as latin1.
 */
import type { Reply } from "../reply.js";

export function respText(reply: Reply, protocol: 2 | 3 = 2): string {
  const bulk = (value: Uint8Array | string): string => {
    const text = typeof value === "string" ? value : Buffer.from(value).toString("latin1");
    return `$${Buffer.byteLength(text, "latin1")}\r\n${text}\r\n`;
  };
  switch (reply.type) {
    case "simple":
      return `+${reply.text}\r\n`;
    case "error":
      return `-${reply.text}\r\n`;
    case "integer":
      return `:${reply.value.toString()}\r\n`;
    case "bulk":
      return bulk(reply.value);
    case "null":
      return protocol === 3 ? "_\r\n" : "$-1\r\n";
    case "nullArray":
      return protocol === 3 ? "_\r\n" : "*-1\r\n";
    case "array":
    case "set": {
      const head = reply.type === "set" && protocol === 3 ? "~" : "*";
      return `${head}${reply.items.length}\r\n${reply.items.map((r) => respText(r, protocol)).join("")}`;
    }
    case "map":
      return `${protocol === 3 ? "%" : "*"}${reply.entries.length * (protocol === 3 ? 1 : 2)}\r\n`
        + reply.entries.map(([k, v]) => respText(k, protocol) + respText(v, protocol)).join("");
    case "pairs":
      return `*${reply.entries.length * (protocol === 3 ? 1 : 2)}\r\n`
        + reply.entries.map(([k, v]) => (protocol === 3 ? "*2\r\n" : "") + respText(k, protocol) + respText(v, protocol)).join("");
    case "double":
      return protocol === 3 ? `,${reply.text}\r\n` : bulk(reply.text);
    case "verbatim":
      return protocol === 3 ? `=${reply.text.length + 4}\r\n${reply.format}:${reply.text}\r\n` : bulk(reply.text);
  }
}
