/** The public surface of the key-value state machine. */
export * from "./commands.js";
export * from "./state_machine.js";
export * from "./errors.js";
export * from "./binary_store/index.js";
