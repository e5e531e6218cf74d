#!/usr/bin/env node
/**
 * A deliberately wrong lin-kv node: like primary_node, but a non-primary acknowledges a write
 * at once and only then sends it to n0, before the write is applied anywhere that counts. A read
 * can then miss an acknowledged write, and a partition loses acknowledged writes outright.
 * Must be judged invalid.
 */
import { runProxyToPrimary } from "./proxy_to_primary.js";

runProxyToPrimary({ ackWritesEarly: true });
