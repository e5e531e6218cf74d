/**
 * The dashboard page (served at `/dashboard`): static markup filled in by `page_js.ts` from the
 * server-sent events of `/v1/dashboard/events`. Kept as a string module so `tsc` ships it in
 * `lib/` with no copy step and no network at build time.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>raftkv dashboard</title>
<link rel="stylesheet" href="/dashboard/style.css">
<script src="/dashboard/app.js" defer></script>
</head>
<body>
<header>
  <h1>raftkv <span class="muted">cluster dashboard</span></h1>
  <p id="summary" class="summary">
    Served by <strong id="served-by">?</strong> ·
    leader <strong id="leader">unknown</strong> ·
    term <strong id="term">?</strong> ·
    <span id="connection" class="badge warn">connecting…</span>
  </p>
  <p id="announce" class="visually-hidden" aria-live="polite"></p>
</header>
<main>
  <section aria-labelledby="nodes-title">
    <h2 id="nodes-title">Nodes</h2>
    <div class="scroll">
    <table id="nodes">
      <caption class="visually-hidden">Every member as the serving node sees it</caption>
      <thead><tr>
        <th scope="col">node</th><th scope="col">state</th><th scope="col">role</th>
        <th scope="col">term</th><th scope="col">leader it knows</th>
        <th scope="col">commit</th><th scope="col">applied</th><th scope="col">last index</th>
        <th scope="col">snapshot</th><th scope="col">voted for</th>
        <th scope="col" class="controls-only">controls</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    </div>
    <p id="nodes-note" class="note"></p>
  </section>
  <section aria-labelledby="progress-title">
    <h2 id="progress-title">Replication <span id="progress-source" class="muted"></span></h2>
    <div class="scroll">
    <table id="progress">
      <caption class="visually-hidden">Each member's replication progress, from the leader</caption>
      <thead><tr>
        <th scope="col">member</th><th scope="col">match</th><th scope="col">next</th>
        <th scope="col">state</th><th scope="col">lag (entries)</th><th scope="col">active</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    </div>
    <p id="last-win" class="note"></p>
  </section>
  <section aria-labelledby="charts-title" class="charts">
    <h2 id="charts-title">Throughput and latency <span class="muted">(last 30 s)</span></h2>
    <figure>
      <figcaption>Committed proposals per second, all nodes:
        <strong id="ops-now">–</strong></figcaption>
      <svg id="ops-chart" role="img" aria-labelledby="ops-now" viewBox="0 0 300 60"
        preserveAspectRatio="none"></svg>
    </figure>
    <figure>
      <figcaption>Commit latency p99 (ms), worst node:
        <strong id="latency-now">–</strong></figcaption>
      <svg id="latency-chart" role="img" aria-labelledby="latency-now" viewBox="0 0 300 60"
        preserveAspectRatio="none"></svg>
    </figure>
  </section>
  <section aria-labelledby="controls-title" id="controls" hidden>
    <h2 id="controls-title">Local cluster controls</h2>
    <form id="transfer-form">
      <label for="transfer-to">Transfer leadership to</label>
      <select id="transfer-to"></select>
      <button type="submit">Transfer</button>
    </form>
    <p id="control-result" role="status" class="note"></p>
  </section>
  <section aria-labelledby="timeline-title">
    <h2 id="timeline-title">Timeline <span class="muted">(newest first)</span></h2>
    <ol id="timeline" class="timeline"></ol>
  </section>
</main>
<footer class="muted">Live over server-sent events from this node; a node that does not answer
  is shown down with the reason. Metrics: <a href="/metrics">/metrics</a> · status:
  <a href="/v1/status">/v1/status</a></footer>
</body>
</html>
`;
