/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH over raw RESP against the in-memory service: Redis 7's
 * exact replies, checked when queued (EXECABORT), WATCH aborts with a null array, pipelining.
 * The same scripts are compared byte for byte with Debian's redis-server when it is installed.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  redisServerInstalled, respRequest, startReferenceRedis, type ReferenceRedis,
} from "../../kv/testing/reference_redis.js";
import { MemoryKvService } from "../testing/memory_kv_service.js";
import { RawRespClient } from "../testing/raw_resp_client.js";
import { RespServer } from "./server.js";

const cmd = (...args: string[]): string => respRequest(args);

type Step = readonly [client: number, request: readonly string[]];

/** Runs `steps` one request at a time over `clients` connections; returns each reply, in order. */
async function script(port: number, clients: number, steps: readonly Step[]): Promise<string[]> {
  const connections = await Promise.all(Array.from({ length: clients }, () => RawRespClient.connect(port)));
  const replies: string[] = [];
  try {
    for (const [index, request] of steps) {
      const client = connections[index];
      assert.ok(client !== undefined);
      replies.push(await client.command(request));
    }
  } finally {
    for (const client of connections) client.destroy();
  }
  return replies;
}

const SCRIPTS: Record<string, { clients: number; steps: Step[] }> = {
  nested: { clients: 1, steps: [[0, ["MULTI"]], [0, ["MULTI"]], [0, ["SET", "t:a", "1"]], [0, ["EXEC"]]] },
  watchInside: { clients: 1, steps: [[0, ["MULTI"]], [0, ["WATCH", "t:x"]], [0, ["EXEC"]]] },
  withoutMulti: { clients: 1, steps: [[0, ["EXEC"]], [0, ["DISCARD"]]] },
  execabort: {
    clients: 1,
    steps: [[0, ["MULTI"]], [0, ["FOO"]], [0, ["SET", "t:a"]], [0, ["SET", "t:b", "1"]], [0, ["EXEC"]],
      [0, ["GET", "t:b"]]],
  },
  queued: {
    clients: 1,
    steps: [[0, ["MULTI"]], [0, ["PING"]], [0, ["ECHO", "hi"]], [0, ["SELECT", "2"]],
      [0, ["SET", "t:k", "v"]], [0, ["GET", "t:k"]], [0, ["SELECT", "99"]], [0, ["SET", "t:k", "v", "XX", "NX"]],
      [0, ["EXEC"]], [0, ["GET", "t:k"]], [0, ["SELECT", "0"]], [0, ["GET", "t:k"]]],
  },
  unwatch: {
    clients: 1,
    steps: [[0, ["WATCH"]], [0, ["UNWATCH"]], [0, ["MULTI"]], [0, ["UNWATCH"]], [0, ["DISCARD"]],
      [0, ["MULTI"]], [0, ["EXEC"]]],
  },
  watchRace: {
    clients: 2,
    steps: [[0, ["SET", "t:w", "1"]], [0, ["WATCH", "t:w"]], [1, ["SET", "t:w", "2"]], [0, ["MULTI"]],
      [0, ["SET", "t:w", "3"]], [0, ["EXEC"]], [0, ["GET", "t:w"]],
      // EXEC cleared the watch: the next transaction runs.
      [0, ["MULTI"]], [0, ["SET", "t:w", "4"]], [0, ["EXEC"]], [0, ["GET", "t:w"]]],
  },
  watchUntouched: {
    clients: 2,
    steps: [[0, ["WATCH", "t:u", "t:v"]], [1, ["SET", "t:other", "2"]], [0, ["MULTI"]], [0, ["GET", "t:u"]],
      [0, ["EXEC"]]],
  },
  watchDeleted: {
    clients: 2,
    steps: [[0, ["SET", "t:d", "1"]], [0, ["WATCH", "t:d"]], [1, ["SET", "t:d", "1", "XX"]],
      [0, ["MULTI"]], [0, ["PING"]], [0, ["EXEC"]]],
  },
  reset: {
    clients: 2,
    steps: [[0, ["SELECT", "3"]], [0, ["CLIENT", "SETNAME", "x"]], [0, ["WATCH", "t:r"]], [0, ["MULTI"]],
      [0, ["RESET"]], [0, ["EXEC"]], [0, ["CLIENT", "GETNAME"]], [0, ["RESET", "x"]], [1, ["SET", "t:r", "1"]],
      [0, ["MULTI"]], [0, ["GET", "t:r"]], [0, ["EXEC"]]],
  },
  discardClearsWatch: {
    clients: 2,
    steps: [[0, ["WATCH", "t:c"]], [1, ["SET", "t:c", "x"]], [0, ["MULTI"]], [0, ["DISCARD"]],
      [0, ["MULTI"]], [0, ["GET", "t:c"]], [0, ["EXEC"]]],
  },
};

/** Run after `SET o:a 1` with maxmemory exceeded (redis-server: CONFIG SET maxmemory 1). */
const OOM_STEPS: Step[] = [[0, ["SET", "o:b", "1"]], [0, ["GET", "o:a"]], [0, ["MULTI"]], [0, ["SET", "o:b", "1"]],
  [0, ["GET", "o:a"]], [0, ["EXEC"]], [0, ["GET", "o:b"]]];
const OOM_TEXT = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
const OOM_EXPECTED = [OOM_TEXT, "$1\r\n1\r\n", "+OK\r\n", OOM_TEXT, OOM_TEXT,
  "-EXECABORT Transaction discarded because of previous errors.\r\n", "$-1\r\n"];

/** What Redis 7 answers (checked against redis-server 7.0.15 by the comparison below). */
const EXPECTED: Record<string, string[]> = {
  nested: ["+OK\r\n", "-ERR MULTI calls can not be nested\r\n", "+QUEUED\r\n", "*1\r\n+OK\r\n"],
  watchInside: ["+OK\r\n", "-ERR WATCH inside MULTI is not allowed\r\n", "*0\r\n"],
  withoutMulti: ["-ERR EXEC without MULTI\r\n", "-ERR DISCARD without MULTI\r\n"],
  execabort: ["+OK\r\n", "-ERR unknown command 'FOO', with args beginning with: \r\n",
    "-ERR wrong number of arguments for 'set' command\r\n", "+QUEUED\r\n",
    "-EXECABORT Transaction discarded because of previous errors.\r\n", "$-1\r\n"],
  queued: ["+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n",
    "+QUEUED\r\n", "+QUEUED\r\n",
    "*7\r\n+PONG\r\n$2\r\nhi\r\n+OK\r\n+OK\r\n$1\r\nv\r\n-ERR DB index is out of range\r\n-ERR syntax error\r\n",
    "$1\r\nv\r\n", "+OK\r\n", "$-1\r\n"],
  unwatch: ["-ERR wrong number of arguments for 'watch' command\r\n", "+OK\r\n", "+OK\r\n", "+QUEUED\r\n",
    "+OK\r\n", "+OK\r\n", "*0\r\n"],
  watchRace: ["+OK\r\n", "+OK\r\n", "+OK\r\n", "+OK\r\n", "+QUEUED\r\n", "*-1\r\n", "$1\r\n2\r\n",
    "+OK\r\n", "+QUEUED\r\n", "*1\r\n+OK\r\n", "$1\r\n4\r\n"],
  watchUntouched: ["+OK\r\n", "+OK\r\n", "+OK\r\n", "+QUEUED\r\n", "*1\r\n$-1\r\n"],
  watchDeleted: ["+OK\r\n", "+OK\r\n", "+OK\r\n", "+OK\r\n", "+QUEUED\r\n", "*-1\r\n"],
  reset: ["+OK\r\n", "+OK\r\n", "+OK\r\n", "+OK\r\n", "+RESET\r\n", "-ERR EXEC without MULTI\r\n", "$-1\r\n",
    "-ERR wrong number of arguments for 'reset' command\r\n", "+OK\r\n", "+OK\r\n", "+QUEUED\r\n",
    "*1\r\n$1\r\n1\r\n"],
  discardClearsWatch: ["+OK\r\n", "+OK\r\n", "+OK\r\n", "+OK\r\n", "+OK\r\n", "+QUEUED\r\n",
    "*1\r\n$1\r\nx\r\n"],
};

test("past maxmemory: -OOM for denyoom commands, every queued command, and EXECABORT", async () => {
  const server = await RespServer.start({ service: new MemoryKvService({ maxmemoryBytes: 1 }) }, { port: 0 });
  try {
    assert.deepEqual(await script(server.port, 1, [[0, ["SET", "o:a", "1"]]]), ["+OK\r\n"]);
    assert.deepEqual(await script(server.port, 1, OOM_STEPS), OOM_EXPECTED);
  } finally {
    await server.close();
  }
});

describe("MULTI/EXEC over RESP (in-memory service)", { timeout: 30_000 }, () => {
  let server: RespServer;
  before(async () => {
    server = await RespServer.start({ service: new MemoryKvService() }, { port: 0 });
  });
  after(async () => {
    await server.close();
  });

  for (const [name, { clients, steps }] of Object.entries(SCRIPTS)) {
    test(`script ${name} answers as Redis 7`, async () => {
      assert.deepEqual(await script(server.port, clients, steps), EXPECTED[name]);
    });
  }

  test("a pipelined WATCH, MULTI, commands and EXEC answer in order", async () => {
    const client = await RawRespClient.connect(server.port);
    try {
      const request = cmd("SET", "p:k", "1") + cmd("WATCH", "p:k") + cmd("MULTI") + cmd("GET", "p:k") +
        cmd("SET", "p:k", "2") + cmd("EXEC") + cmd("GET", "p:k");
      const expected = "+OK\r\n+OK\r\n+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n$1\r\n1\r\n+OK\r\n$1\r\n2\r\n";
      assert.equal(await client.exchange(request, expected), expected);
    } finally {
      client.destroy();
    }
  });

  test("pipelined: the requests after EXEC run in the database its SELECT left", async () => {
    const client = await RawRespClient.connect(server.port);
    try {
      const request = cmd("MULTI") + cmd("SELECT", "5") + cmd("SET", "p:db", "five") + cmd("EXEC") +
        cmd("GET", "p:db") + cmd("SELECT", "0") + cmd("GET", "p:db");
      const expected = "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n+OK\r\n$4\r\nfive\r\n+OK\r\n$-1\r\n";
      assert.equal(await client.exchange(request, expected), expected);
    } finally {
      client.destroy();
    }
  });

  test("a MULTI queue past QUEUED_BYTES_MAX is refused and EXEC answers EXECABORT", async () => {
    const big = "x".repeat(1024 * 1024);
    const steps: Step[] = [[0, ["MULTI"]]];
    for (let i = 0; i < 8; i++) steps.push([0, ["SET", `big:${i}`, big]]);
    steps.push([0, ["EXEC"]], [0, ["GET", "big:0"]]);
    const replies = await script(server.port, 1, steps);
    // Seven 1 MiB values fit in 8 MiB; the eighth does not.
    assert.deepEqual(replies.slice(0, 8), ["+OK\r\n", ...Array<string>(7).fill("+QUEUED\r\n")]);
    assert.equal(replies[8], "-ERR the transaction's queued commands exceed 8388608 bytes\r\n");
    assert.deepEqual(replies.slice(9), ["-EXECABORT Transaction discarded because of previous errors.\r\n", "$-1\r\n"]);
  });

  test("RESP3: an aborted EXEC is a null", async () => {
    const replies = await script(server.port, 2, [[0, ["HELLO", "3"]], [0, ["WATCH", "r3"]],
      [1, ["SET", "r3", "x"]], [0, ["MULTI"]], [0, ["PING"]], [0, ["EXEC"]]]);
    assert.deepEqual(replies.slice(1), ["+OK\r\n", "+OK\r\n", "+OK\r\n", "+QUEUED\r\n", "_\r\n"]);
  });

  test("front-end commands queued in MULTI are answered in their places", async () => {
    const replies = await script(server.port, 1, [[0, ["MULTI"]], [0, ["SET", "f:k", "v"]],
      [0, ["CLIENT", "GETNAME"]], [0, ["GET", "f:k"]], [0, ["EXEC"]]]);
    assert.equal(replies[4], "*3\r\n+OK\r\n$-1\r\n$1\r\nv\r\n");
  });
});

describe("MULTI/EXEC scripts against Debian's redis-server", { skip: redisServerInstalled() ? false : "redis-server missing", timeout: 30_000 }, () => {
  let redis: ReferenceRedis | undefined;
  let port = 0;
  before(async () => {
    redis = await startReferenceRedis();
    port = redis.port;
  });
  after(async () => {
    await redis?.stop();
  });

  for (const [name, { clients, steps }] of Object.entries(SCRIPTS)) {
    test(`script ${name}: redis-server answers what the expectations say`, async () => {
      await script(port, 1, [[0, ["FLUSHALL"]]]);
      assert.deepEqual(await script(port, clients, steps), EXPECTED[name]);
    });
  }

  test("past maxmemory: redis-server answers what the expectations say", async () => {
    await script(port, 1, [[0, ["FLUSHALL"]], [0, ["SET", "o:a", "1"]], [0, ["CONFIG", "SET", "maxmemory", "1"]]]);
    try {
      assert.deepEqual(await script(port, 1, OOM_STEPS), OOM_EXPECTED);
    } finally {
      await script(port, 1, [[0, ["CONFIG", "SET", "maxmemory", "0"]]]);
    }
  });
});
