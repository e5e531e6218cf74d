/**
 * Test support: THE LIST TO ADJUST. The commands the differential test sends: every family of
 * `differential_mix.ts` except those named in `EXCLUDED` (a family is named by its command, e.g.
 * "LMPOP"). Keep `EXCLUDED` empty once every command group is merged: a command raftkv does not
 * know then fails the test ("raftkv does not know this command"), as it should. A difference
 * made on purpose belongs in `deliberate_differences.ts` and docs/redis-compatibility.md, not here.
 */
import { FLUSH_MIX, SINGLE_COMMANDS, type Family } from "./differential_mix.js";
import { transactionFamilies } from "./differential_transactions.js";

export const EXCLUDED: ReadonlySet<string> = new Set<string>([]);

const active = (families: readonly Family[]): Family[] =>
  families.filter((family) => !EXCLUDED.has(family.name));

export const COMMAND_MIX_ACTIVE: readonly Family[] = active(SINGLE_COMMANDS);
export const RARE_MIX_ACTIVE: readonly Family[] = active(FLUSH_MIX);
export const TRANSACTION_MIX_ACTIVE: readonly Family[] = active(transactionFamilies(COMMAND_MIX_ACTIVE));
