#!/usr/bin/env node
/**
 * A correct, trivially simple lin-kv node: n0 holds the only copy of the data and answers
 * everything; other nodes proxy client requests to n0 and relay its reply. A partition only
 * makes requests time out (indefinite), so every history it produces is linearizable.
 */
import { runProxyToPrimary } from "./proxy_to_primary.js";

runProxyToPrimary({ ackWritesEarly: false });
