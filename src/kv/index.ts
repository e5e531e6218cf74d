/** The public surface of the key-value state machine. */
export * from "./errors.js";
export * from "./binary_store/index.js";
