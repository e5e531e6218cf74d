/**
 * The list and sorted-set commands against Debian's redis-server, byte for byte: each script runs
 * through the store machine (EngineHarness) with the RESP encoder, and on a redis-server started
 * here on a free port (never as a service), in RESP2 and in RESP3. Commands the scripts use that
 * are not list or sorted-set commands: SET and GET only. Skipped without redis-server.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { EngineHarness } from "../../kv/redis/testing/engine_harness.js";
import { RawRespClient } from "../testing/raw_resp_client.js";
import { encodeReply } from "./encoder.js";

function installed(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Arguments are split on spaces; a backslash-s stands for a space, two quotes for an empty argument. */
const LISTS = [
  'RPUSH l a b c d e a b c',
  'LPUSH l x y',
  'LPUSH l',
  'LLEN l',
  'LLEN nokey',
  'LRANGE l 0 -1',
  'LRANGE l -3 100',
  'LRANGE l 5 2',
  'LRANGE l x 2',
  'LRANGE nokey 0 -1',
  'LINDEX l 0',
  'LINDEX l -1',
  'LINDEX l 100',
  'LINDEX l x',
  'LINDEX nokey x',
  'LSET l 0 X',
  'LSET l 100 X',
  'LSET l -100 X',
  'LSET nokey 0 X',
  'LSET l x X',
  'LSET nokey x X',
  'LREM l 1 a',
  'LREM l -1 b',
  'LREM l 0 zz',
  'LREM l x a',
  'LRANGE l 0 -1',
  'LINSERT l BEFORE c NEW',
  'LINSERT l AFTER c NEW2',
  'LINSERT l after nope NEW',
  'LINSERT l middle c NEW',
  'LINSERT nokey before c NEW',
  'LRANGE l 0 -1',
  'LPOS l c',
  'LPOS l c RANK 2',
  'LPOS l c RANK -1',
  'LPOS l c COUNT 0',
  'LPOS l c COUNT 1',
  'LPOS l c RANK 0',
  'LPOS l c RANK x',
  'LPOS l c COUNT -1',
  'LPOS l c COUNT x',
  'LPOS l c MAXLEN -1',
  'LPOS l c MAXLEN 2',
  'LPOS l c MAXLEN 5 COUNT 0',
  'LPOS l c RANK',
  'LPOS l c FOO 1',
  'LPOS nokey c',
  'LPOS nokey c COUNT 2',
  'LPOS l c RANK -9223372036854775808',
  'LPOP l',
  'RPOP l',
  'LPOP l 2',
  'RPOP l 0',
  'RPOP l -1',
  'RPOP l x',
  'LPOP l 1 2',
  'LPOP nokey',
  'LPOP nokey 2',
  'LPOP nokey 0',
  'LPOP nokey -1',
  'RPOP l 100',
  'LPUSHX l a',
  'RPUSHX l a',
  'RPUSH l 1 2 3 4 5 6',
  'LTRIM l 1 -2',
  'LRANGE l 0 -1',
  'LTRIM l 10 20',
  'LTRIM nokey 0 1',
  'LTRIM nokey x 1',
  'RPUSH l 1 2 3',
  'LMOVE l d LEFT RIGHT',
  'LMOVE l d right left',
  'LMOVE l l LEFT RIGHT',
  'LRANGE l 0 -1',
  'LRANGE d 0 -1',
  'LMOVE l d UP LEFT',
  'LMOVE nokey d LEFT LEFT',
  'RPOPLPUSH l d',
  'RPOPLPUSH nokey d',
  'SET s str',
  'LPUSH s a',
  'LMOVE d s LEFT LEFT',
  'LMOVE s d LEFT LEFT',
  'LMOVE nokey s LEFT LEFT',
  'LPOP s',
  'LLEN s',
  'LRANGE s 0 1',
  'LINDEX s 0',
  'LPOS s a',
  'LPUSHX s a',
  'RPUSH m1 a b c',
  'LMPOP 2 nokey m1 LEFT',
  'LMPOP 2 nokey m1 RIGHT COUNT 10',
  'LMPOP 2 nokey m1 RIGHT',
  'LMPOP 0 nokey LEFT',
  'LMPOP -1 nokey LEFT',
  'LMPOP 3 nokey LEFT',
  'LMPOP 1 nokey MIDDLE',
  'LMPOP 1 nokey LEFT COUNT 0',
  'LMPOP 1 nokey LEFT COUNT 1 COUNT 1',
  'LMPOP 1 nokey LEFT FOO',
  'LMPOP 1 s LEFT',
  'LMPOP x s LEFT',
];

const ZSETS = [
  'ZADD z 1 a 2 b 3 c',
  'ZADD z 1.1 d 1e300 e -inf f +inf g 0.1 h 1e-5 i 123456789012345678 j',
  'ZADD z 0x10 hex',
  'ZADD z 1e400 x',
  'ZADD z 1e-400 x',
  'ZADD z nan x',
  'ZADD z \\s1 x',
  'ZADD z 1\\s x',
  "ZADD z '' x",
  'ZADD z abc x',
  'ZADD z 1 a 2',
  'ZADD z',
  'ZADD z NX',
  'ZADD z NX XX 1 a',
  'ZADD z GT LT 1 a',
  'ZADD z GT NX 1 a',
  'ZADD z INCR 1 a 2 b',
  'ZADD z XX NX 1 a 2',
  'ZADD z NX INCR 1 a',
  'ZADD z XX INCR 1 a',
  'ZADD z XX INCR 1 zz',
  'ZADD z GT INCR -1 a',
  'ZADD z GT CH 5 a 0 b 7 new',
  'ZADD z LT CH 4 a 0 b',
  'ZADD z CH 4 a 0 b',
  'ZADD nokey XX 1 a',
  'ZADD nokey XX INCR 1 a',
  'ZINCRBY z 2.5 a',
  'ZINCRBY z x a',
  'ZINCRBY z 1 newm',
  'ZINCRBY z +inf g',
  'ZINCRBY z -inf g',
  'ZSCORE z a',
  'ZSCORE z g',
  'ZSCORE z f',
  'ZSCORE z nope',
  'ZSCORE nokey a',
  'ZMSCORE z a nope b',
  'ZMSCORE nokey a b',
  'ZCARD z',
  'ZCARD nokey',
  'ZRANK z a',
  'ZRANK z nope',
  'ZREVRANK z a',
  'ZRANK nokey a',
  'ZCOUNT z -inf +inf',
  'ZCOUNT z (1 3',
  'ZCOUNT z 1 (3',
  'ZCOUNT z x 3',
  'ZCOUNT z ( 3',
  "ZCOUNT z '' ''",
  'ZCOUNT z 3 1',
  'ZCOUNT nokey 1 2',
  'ZRANGE z 0 -1',
  'ZRANGE z 0 -1 WITHSCORES',
  'ZRANGE z 2 4 REV WITHSCORES',
  'ZRANGE z -100 100',
  'ZRANGE z 5 1',
  'ZRANGE z x 1',
  'ZRANGE z 0 -1 LIMIT 0 -1',
  'ZRANGE z 0 -1 LIMIT 0 1',
  'ZRANGE z (1 +inf BYSCORE',
  'ZRANGE z +inf (1 BYSCORE REV WITHSCORES',
  'ZRANGE z -inf +inf BYSCORE LIMIT 1 2 WITHSCORES',
  'ZRANGE z -inf +inf BYSCORE LIMIT -1 2',
  'ZRANGE z -inf +inf BYSCORE LIMIT 2 -1',
  'ZRANGE z -inf +inf BYSCORE LIMIT 2 0',
  'ZRANGE z x y BYSCORE',
  'ZRANGE z - + BYLEX',
  'ZRANGE z - + BYLEX WITHSCORES',
  'ZRANGE z a b BYLEX',
  'ZRANGE z 0 -1 BYSCORE BYLEX',
  'ZRANGE z 0 -1 REV REV',
  'ZRANGE z 0 -1 LIMIT 1',
  'ZRANGE z 0 -1 FOO',
  'ZRANGE nokey 0 -1',
  'ZREVRANGE z 0 2 WITHSCORES',
  'ZREVRANGE z 0 2 BYSCORE',
  'ZRANGEBYSCORE z 1 3 WITHSCORES',
  'ZRANGEBYSCORE z 1 3 REV',
  'ZRANGEBYSCORE z 1 3 LIMIT 1 1',
  'ZREVRANGEBYSCORE z 3 1',
  'ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 0 3',
  'ZADD l 0 a 0 b 0 c 0 d 0 e 0 f',
  'ZRANGEBYLEX l [b (e',
  'ZRANGEBYLEX l - +',
  'ZRANGEBYLEX l (a +',
  'ZRANGEBYLEX l + -',
  'ZRANGEBYLEX l b c',
  'ZRANGEBYLEX l [b [d LIMIT 1 5',
  'ZREVRANGEBYLEX l [e (b',
  'ZREVRANGEBYLEX l + - LIMIT 0 2',
  'ZLEXCOUNT l - +',
  'ZLEXCOUNT l [b [c',
  'ZLEXCOUNT l x y',
  'ZREMRANGEBYLEX l [e +',
  'ZREMRANGEBYLEX l x y',
  'ZRANGE l 0 -1',
  'ZREMRANGEBYRANK l 0 0',
  'ZREMRANGEBYRANK l -1 -1',
  'ZREMRANGEBYRANK l x 1',
  'ZRANGE l 0 -1',
  'ZREMRANGEBYSCORE l -inf +inf',
  'ZREMRANGEBYSCORE l x 1',
  'ZREMRANGEBYSCORE nokey 0 1',
  'ZRANGESTORE dst z 0 2',
  'ZRANGE dst 0 -1 WITHSCORES',
  'ZRANGESTORE dst z 0 2 WITHSCORES',
  'ZRANGESTORE dst nokey 0 -1',
  'ZRANGESTORE dst z (1 5 BYSCORE LIMIT 0 2',
  'ZRANGE dst 0 -1',
  'ZREM z a nope b',
  'ZREM z nope',
  'ZREM nokey a',
  'ZPOPMIN z',
  'ZPOPMAX z',
  'ZPOPMIN z 2',
  'ZPOPMAX z 0',
  'ZPOPMAX z -1',
  'ZPOPMAX z x',
  'ZPOPMAX z 1 2',
  'ZPOPMIN nokey',
  'ZPOPMIN nokey 3',
  'SET s str',
  'ZADD s 1 a',
  'ZSCORE s a',
  'ZRANGE s 0 -1',
  'ZPOPMIN s 0',
  'ZPOPMIN s',
  'ZCOUNT s 0 1',
  'ZCOUNT s x 1',
  'ZRANGE s x 1',
  'ZINCRBY s 1 a',
  'ZRANDMEMBER s',
  'ZREM s a',
  'ZCARD s',
  'ZRANK s a',
  'ZMSCORE s a',
  'ZREMRANGEBYRANK s 0 1',
  'ZRANGESTORE dst s 0 1',
  'ZRANGESTORE s z 0 1',
  'GET s',
  'ZRANDMEMBER z 100',
  'ZRANDMEMBER z 100 WITHSCORES',
  'ZRANDMEMBER z 0',
  'ZRANDMEMBER nokey',
  'ZRANDMEMBER nokey 5',
  'ZRANDMEMBER z 1 WITHSCORE',
  'ZRANDMEMBER z 1 WITHSCORES x',
  'ZRANDMEMBER z x',
  'ZSCAN z 0',
  'ZSCAN z 0 MATCH h*',
  'ZSCAN z 0 COUNT 0',
  'ZSCAN z x',
  'ZSCAN z -1',
  'ZSCAN nokey 0 COUNT 0',
  'ZSCAN z 0 FOO',
  'ZSCAN s 0',
  'ZADD u1 1 a 2 b 3 c',
  'ZADD u2 10 b 20 c 30 d',
  'ZUNIONSTORE out 2 u1 u2',
  'ZRANGE out 0 -1 WITHSCORES',
  'ZUNIONSTORE out 2 u1 u2 WEIGHTS 2 0.5 AGGREGATE MAX',
  'ZRANGE out 0 -1 WITHSCORES',
  'ZINTERSTORE out 2 u1 u2 AGGREGATE MIN',
  'ZRANGE out 0 -1 WITHSCORES',
  'ZINTERSTORE out 3 u1 u2 st',
  'ZUNIONSTORE out 3 u1 u2 st',
  'ZRANGE out 0 -1 WITHSCORES',
  'ZINTERSTORE out 2 u1 nokey',
  'ZUNIONSTORE out 0 u1',
  'ZUNIONSTORE out -1 u1',
  'ZUNIONSTORE out 3 u1 u2',
  'ZUNIONSTORE out x u1',
  'ZUNIONSTORE out 2 u1 u2 WEIGHTS 1',
  'ZUNIONSTORE out 2 u1 u2 WEIGHTS 1 x',
  'ZUNIONSTORE out 2 u1 u2 AGGREGATE AVG',
  'ZUNIONSTORE out 2 u1 u2 WITHSCORES',
  'ZUNIONSTORE out 2 u1 s',
  'ZUNION 2 u1 u2 WITHSCORES',
  'ZINTER 2 u1 u2',
  'ZDIFF 2 u1 u2 WITHSCORES',
  'ZDIFFSTORE out 2 u1 u2',
  'ZINTERCARD 2 u1 u2',
  'ZINTERCARD 2 u1 u2 LIMIT 1',
  'ZINTERCARD 2 u1 u2 LIMIT -1',
  'ZINTERCARD 0 u1',
  'ZDIFF 2 u1 u2 WEIGHTS 1 2',
  'ZADD inf1 +inf a',
  'ZADD inf2 -inf a',
  'ZUNIONSTORE out 2 inf1 inf2',
  'ZRANGE out 0 -1 WITHSCORES',
  'ZUNIONSTORE out 1 inf1 WEIGHTS 0',
  'ZRANGE out 0 -1 WITHSCORES',
  'ZMPOP 2 nokey u1 MIN',
  'ZMPOP 2 nokey u1 MAX COUNT 10',
  'ZMPOP 1 nokey MIN',
  'ZMPOP 0 nokey MIN',
  'ZMPOP 1 nokey FOO',
  'ZMPOP 1 nokey MIN COUNT 0',
  'ZADD neg -0 a',
  'ZSCORE neg a',
  'ZADD big 1.5e-7 a 12345678.9 b 0.000123 c 1e17 d 1e16 e 9007199254740993 f -2.5e-300 g',
  'ZRANGE big 0 -1 WITHSCORES',
  'ZSCAN big 0',
];

const argv = (line: string): string[] =>
  line.split(" ").map((a) => (a === "''" ? "" : a.replaceAll("\\s", " ")));

const request = (args: string[]): string =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;

/** The end of the RESP reply starting at `at`, or -1 if it is not complete yet. */
function replyEnd(text: string, at: number): number {
  const eol = text.indexOf("\r\n", at);
  if (eol < 0) return -1;
  const type = text.charAt(at);
  const n = Number(text.slice(at + 1, eol));
  if (type === "$" || type === "=") return n < 0 ? eol + 2 : (eol + 2 + n + 2 <= text.length ? eol + 2 + n + 2 : -1);
  if ("*~%>".includes(type)) {
    let next = eol + 2;
    for (let i = 0; i < (type === "%" ? 2 * n : n); i++) {
      next = replyEnd(text, next);
      if (next < 0) return -1;
    }
    return next;
  }
  return eol + 2;
}

function splitReplies(text: string): string[] {
  const replies: string[] = [];
  for (let at = 0; at < text.length;) {
    const end = replyEnd(text, at);
    if (end < 0) break;
    replies.push(text.slice(at, end));
    at = end;
  }
  return replies;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  return typeof address === "object" && address !== null ? address.port : 0;
}

async function redisReplies(port: number, script: readonly string[], protocol: 2 | 3): Promise<string[]> {
  const client = await RawRespClient.connect(port);
  const all = [["FLUSHALL"], ["HELLO", String(protocol)], ...script.map(argv)];
  client.send(all.map(request).join(""));
  await client.until((text) => splitReplies(text).length >= all.length);
  client.end();
  return splitReplies(client.text).slice(2);
}

function ourReplies(script: readonly string[], protocol: 2 | 3): string[] {
  const h = new EngineHarness();
  return script.map((line) => encodeReply(h.run(...argv(line)), protocol).toString("latin1"));
}

test("list and sorted-set replies match Debian's redis-server byte for byte (RESP2 and RESP3)",
  { skip: installed() ? false : "redis-server missing", timeout: 30_000 }, async () => {
  const port = await freePort();
  const redis = spawn("redis-server", [
    "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
  ], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    let ready = "";
    for await (const chunk of redis.stdout) {
      ready += String(chunk);
      if (ready.includes("Ready to accept connections")) break;
    }
    for (const script of [LISTS, ZSETS]) {
      for (const protocol of [2, 3] as const) {
        const expected = await redisReplies(port, script, protocol);
        const actual = ourReplies(script, protocol);
        script.forEach((line, i) => {
          assert.equal(actual[i], expected[i], `RESP${protocol}: ${line}`);
        });
      }
    }
  } finally {
    redis.kill("SIGTERM");
    await once(redis, "exit");
  }
});

test("the reply splitter finds whole replies only (a known-bad, cut-short reply is not one)", () => {
  assert.deepEqual(splitReplies("*2\r\n$1\r\na\r\n:1\r\n+OK\r\n"), ["*2\r\n$1\r\na\r\n:1\r\n", "+OK\r\n"]);
  assert.deepEqual(splitReplies("*2\r\n$1\r\na\r\n"), []);
  assert.deepEqual(splitReplies("$5\r\nab"), []);
});
