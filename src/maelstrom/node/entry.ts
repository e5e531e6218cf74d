#!/usr/bin/env node
/** Runs the lin-kv node directly (tests spawn this file; users run bin/raftkv-maelstrom). */
import { runMaelstromNode } from "./main.js";

runMaelstromNode();
