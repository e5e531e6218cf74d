/** The dashboard's style sheet (served at `/dashboard/style.css`); colours meet WCAG AA. */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --fg: #1a1a1a; --muted: #555; --bg: #fff; --line: #c8c8c8;
  --ok: #0b6b2b; --bad: #a4161a; --warn: #7a4d00; --lead: #0b4f9c; --focus: #0b4f9c; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; color: var(--fg);
  background: var(--bg); }
header, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 16px; }
h1 { font-size: 1.4rem; margin: 12px 0 4px; }
h2 { font-size: 1.1rem; margin: 16px 0 6px; }
.muted { color: var(--muted); font-weight: normal; }
.summary { margin: 0 0 8px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
  white-space: nowrap; }
th { font-weight: 600; background: #f2f2f2; }
tr.is-leader td:first-child { font-weight: 700; color: var(--lead); }
tr.is-down td { color: var(--muted); }
.badge { display: inline-block; padding: 0 6px; border-radius: 4px; border: 1px solid currentColor;
  font-size: 0.85rem; }
.badge.ok { color: var(--ok); } .badge.bad { color: var(--bad); }
.badge.warn { color: var(--warn); }
.badge.lead { color: var(--lead); }
.note { color: var(--muted); margin: 4px 0; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 0 24px; }
.charts h2 { grid-column: 1 / -1; }
figure { margin: 0; }
figcaption { font-size: 0.9rem; }
svg { width: 100%; height: 60px; border: 1px solid var(--line); background: #fafafa; }
svg polyline { fill: none; stroke: var(--lead); stroke-width: 1.5;
  vector-effect: non-scaling-stroke; }
.timeline { list-style: none; padding: 0; margin: 0; max-height: 320px; overflow-y: auto;
  border: 1px solid var(--line); }
.timeline li { padding: 3px 8px; border-bottom: 1px solid #eee; font-size: 0.9rem; }
.timeline time { color: var(--muted); margin-right: 6px; font-variant-numeric: tabular-nums; }
.timeline .kind { display: inline-block; min-width: 7.5em; font-weight: 600; }
.timeline .stepdown .kind, .timeline .failed .kind, .timeline .removed .kind { color: var(--bad); }
.timeline .election .kind { color: var(--lead); }
.timeline .reachability .kind, .timeline .partition .kind { color: var(--warn); }
button, select { font: inherit; padding: 2px 8px; margin: 0 2px; }
button:focus-visible, select:focus-visible, a:focus-visible { outline: 3px solid var(--focus);
  outline-offset: 2px; }
.controls-only { display: none; }
body.with-controls .controls-only { display: table-cell; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
footer { margin: 16px auto; font-size: 0.85rem; }
@media (max-width: 800px) { .charts { grid-template-columns: 1fr; } }
`;
