/**
 * Test support: the differential test's transaction steps: MULTI ... EXEC (or DISCARD), a bad
 * command queued (EXECABORT), MULTI and EXEC misused, and WATCH races in which the other
 * connection may write a watched key between WATCH and EXEC.
 */
import { EXACT } from "./reply_compare.js";
import type { Action, Conn, Family } from "./differential_mix.js";
import type { Vocabulary } from "./differential_random.js";

/** A command to queue: one drawn from an exact-compared family, sometimes with a wrong arity. */
function queued(v: Vocabulary, conn: Conn, families: readonly Family[]): Action[] {
  const family = v.c.pick(families);
  const actions = family.draw(v, conn).filter((a) => a.compare.kind === "exact");
  return actions.map((a) => v.c.chance(0.05) ? { ...a, argv: a.argv.slice(0, 1) } : a);
}

const act = (conn: Conn, ...argv: string[]): Action => ({ conn, argv, compare: EXACT });

function transaction(v: Vocabulary, conn: Conn, families: readonly Family[]): Action[] {
  const body = Array.from({ length: v.c.int(1, 4) }, () => queued(v, conn, families)).flat();
  const end = v.c.chance(0.85) ? "EXEC" : "DISCARD";
  const misuse = v.c.chance(0.1) ? [act(conn, v.c.pick(["MULTI", "WATCH"]), "s:0")] : [];
  return [act(conn, "MULTI"), ...body, ...misuse, act(conn, end)];
}

function watchRace(v: Vocabulary, conn: Conn, families: readonly Family[]): Action[] {
  const other: Conn = conn === 0 ? 1 : 0;
  const watched = v.keys(v.c.pick(["s", "h", "l", "S", "z"]), 1, 2);
  const steps: Action[] = [act(conn, "WATCH", ...watched)];
  if (v.c.chance(0.5)) {
    // The other connection writes a watched key (or, sometimes, a key nobody watches).
    const key = v.c.chance(0.8) ? v.c.pick(watched) : "s:5";
    steps.push(act(other, v.c.pick(["SET", "APPEND"]), key, "w"));
  }
  if (v.c.chance(0.1)) steps.push(act(conn, "UNWATCH"));
  if (v.c.chance(0.2)) steps.push(act(conn, "EXPIRE", v.c.pick(watched), "99999"));
  steps.push(...transaction(v, conn, families));
  return steps;
}

/** Transaction families over `families` (the single-command mix). */
export function transactionFamilies(families: readonly Family[]): Family[] {
  return [
    { name: "MULTI", group: "transaction", draw: (v, conn) => transaction(v, conn, families) },
    { name: "WATCH", group: "transaction", draw: (v, conn) => watchRace(v, conn, families) },
    { name: "EXEC", group: "transaction", draw: (_v, conn) => [act(conn, "EXEC")] },
    { name: "DISCARD", group: "transaction", draw: (_v, conn) => [act(conn, "DISCARD")] },
  ];
}
