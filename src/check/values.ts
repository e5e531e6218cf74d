/**
 * Register values compared with JSON-structural equality: two values are equal when their
 * canonical JSON (object keys sorted) is the same text. The search works on small integer ids
 * instead of values, so a state comparison is one integer comparison.
 */

/** Canonical JSON: object keys in sorted order, so `{a,b}` equals `{b,a}`. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Interns values to dense ids; the absent register (null) is always id 0. */
export class ValueTable {
  static readonly absentId = 0;
  private readonly ids = new Map<string, number>([["null", ValueTable.absentId]]);
  private readonly values: unknown[] = [null];

  idOf(value: unknown): number {
    const text = canonicalJson(value);
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(text, id);
      this.values.push(value ?? null);
    }
    return id;
  }

  valueOf(id: number): unknown {
    return this.values[id];
  }
}

/** How values print in explanations: JSON, with absent shown as `null (absent)`. */
export function showValue(value: unknown): string {
  return value === null || value === undefined ? "null (absent)" : canonicalJson(value);
}
