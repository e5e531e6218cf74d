/**
 * Moving elements between lists (LMOVE, RPOPLPUSH) and popping from the first non-empty of
 * several lists (LMPOP), as Redis 7.0 answers them. No blocking forms (BLMOVE, BLMPOP).
 */
import { arg, command, fail, optionName, SYNTAX_ERROR, type ExecContext, type RedisCommand } from "./command.js";
import { mpopCountArg, rangeLongArg } from "./collection_args.js";
import { keyOf, type Bytes } from "./keyspace.js";
import { listAt, listChanged, popItems } from "./list_access.js";
import { ListValue } from "./list_value.js";
import { NULL, NULL_ARRAY, array, bulk, type Reply } from "./reply.js";

const LONG_MAX = 2n ** 63n - 1n;

/** LEFT or RIGHT (getListPositionFromObjectOrReply). @returns true for LEFT. */
function sideArg(value: Bytes): boolean {
  const side = optionName(value);
  if (side !== "left" && side !== "right") fail(SYNTAX_ERROR);
  return side === "left";
}

function move(ctx: ExecContext, args: { source: Bytes; destination: Bytes; fromLeft: boolean; toLeft: boolean }): Reply {
  const source = listAt(ctx, args.source);
  if (source === undefined) return NULL;
  const sameKey = keyOf(args.source) === keyOf(args.destination);
  // Redis checks the destination's type before popping anything.
  const destination = sameKey ? source : listAt(ctx, args.destination);
  const item = args.fromLeft ? source.list.popLeft() : source.list.popRight();
  if (item === undefined) return NULL;
  const target = destination?.list ?? new ListValue();
  if (args.toLeft) target.pushLeft(item);
  else target.pushRight(item);
  if (destination === undefined) {
    ctx.db.put(keyOf(args.destination), { type: "list", value: target }, ctx.index, null);
  } else if (!sameKey) {
    listChanged(ctx, destination);
  }
  listChanged(ctx, source);
  return bulk(item);
}

function lmpop(ctx: ExecContext, args: readonly Bytes[]): Reply {
  const numkeys = rangeLongArg(arg(args, 1), 1n, LONG_MAX, "numkeys should be greater than 0");
  const whereIndex = 2 + numkeys;
  if (whereIndex >= args.length) fail(SYNTAX_ERROR);
  const left = sideArg(arg(args, whereIndex));
  const count = mpopCountArg(args, whereIndex + 1);
  for (const key of args.slice(2, whereIndex)) {
    const at = listAt(ctx, key);
    if (at === undefined || at.list.length === 0) continue;
    const items = popItems(ctx, at, left, count ?? 1);
    return array([bulk(key), array(items.map((item) => bulk(item)))]);
  }
  return NULL_ARRAY;
}

export const listMoveCommands: readonly RedisCommand[] = [
  command("lmove", 5, ["write", "denyoom"], {
    keys: [1, 2, 1], group: "list", since: "6.2.0", kind: "write",
    summary: "Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.",
    exec(ctx, args) {
      const fromLeft = sideArg(arg(args, 3));
      const toLeft = sideArg(arg(args, 4));
      return move(ctx, { source: arg(args, 1), destination: arg(args, 2), fromLeft, toLeft });
    },
  }),
  command("rpoplpush", 3, ["write", "denyoom"], {
    keys: [1, 2, 1], group: "list", since: "1.2.0", kind: "write",
    summary: "Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.",
    exec(ctx, args) {
      return move(ctx, { source: arg(args, 1), destination: arg(args, 2), fromLeft: false, toLeft: true });
    },
  }),
  command("lmpop", -4, ["write", "movablekeys"], {
    keys: [0, 0, 0], group: "list", since: "7.0.0", kind: "write",
    summary: "Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.",
    exec: lmpop,
  }),
];
