/**
 * The encoding thresholds OBJECT ENCODING reports against (Redis's hash-max-listpack-entries,
 * set-max-intset-entries, ...). CONFIG SET changes them and CONFIG GET reports them.
 *
 * This is node-local display state: only OBJECT (a read command, run locally) reads it. Nothing
 * applied from the log may read it, since replicas need not agree on it; raftkv keeps every value
 * in one representation, so a threshold changes no behaviour, only what OBJECT ENCODING answers.
 * The defaults are redis-server 7.0's compiled defaults (no config file).
 */
export interface EncodingSettings {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  setMaxIntsetEntries: number;
  listMaxListpackSize: number;
  listCompressDepth: number;
}

const DEFAULTS: Readonly<EncodingSettings> = {
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  listMaxListpackSize: -2,
  listCompressDepth: 0,
};

/** The current thresholds (one set per process: display state, see above). */
export const encodingSettings: EncodingSettings = { ...DEFAULTS };

/** Back to Redis's defaults (tests). */
export function resetEncodingSettings(): void {
  Object.assign(encodingSettings, DEFAULTS);
}
