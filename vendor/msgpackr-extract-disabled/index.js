// Intentionally empty: msgpackr checks `if (extractor)` and uses its pure JavaScript path.
module.exports = undefined;
