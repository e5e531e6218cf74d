/** The public surface of the key-value state machine. */
export * from "./commands.js";
export * from "./state_machine.js";
