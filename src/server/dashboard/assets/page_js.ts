/**
 * The dashboard's script (served at `/dashboard/app.js`): plain browser JavaScript, no framework
 * and no build step. It opens one EventSource on `/v1/dashboard/events` (the browser reconnects
 * by itself) and redraws the tables, sparklines and timeline from each `cluster` event. The
 * text is kept free of backquotes so it can live in this string.
 */
export const DASHBOARD_JS = String.raw`"use strict";
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var lastLeader = null;
  var controlsOn = false;

  function text(el, value) { el.textContent = value; return el; }
  function cell(row, value, cls) {
    var td = document.createElement("td");
    text(td, value === null || value === undefined ? "–" : String(value));
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }
  function badge(value, cls) {
    var span = document.createElement("span");
    span.className = "badge " + cls;
    return text(span, value);
  }
  function announce(message) { text($("announce"), message); }

  function setConnection(state, cls) {
    var el = $("connection");
    el.className = "badge " + cls;
    text(el, state);
  }

  function control(path, body) {
    text($("control-result"), "working…");
    return fetch("/v1/dashboard/control/" + path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-raftkv-dashboard": "1" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) {
          var error = answer && answer.error ? answer.error.message : ("HTTP " + response.status);
          throw new Error(error);
        }
        text($("control-result"), path + " " + JSON.stringify(body) + ": done");
      });
    }).catch(function (error) {
      text($("control-result"), path + " failed: " + error.message);
    });
  }

  function button(label, description, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    text(b, label);
    b.setAttribute("aria-label", description);
    b.addEventListener("click", onClick);
    return b;
  }

  /** Rows are kept and updated in place, so keyboard focus on a control survives updates. */
  function rowFor(body, id) {
    var row = body.querySelector("tr[data-node=\"" + id + "\"]");
    if (row) return row;
    row = document.createElement("tr");
    row.dataset.node = id;
    var th = document.createElement("th");
    th.setAttribute("scope", "row");
    row.appendChild(th);
    for (var i = 0; i < 10; i++) row.appendChild(document.createElement("td"));
    row.lastChild.className = "controls-only";
    var stop = button("stop", "stop " + id, function () { control("stop", { node: id }); });
    var cut = button("partition", "partition " + id, function () {
      control("partition", { node: id, isolated: cut.dataset.isolated !== "true" });
    });
    var restart = button("restart", "restart " + id, function () {
      control("restart", { node: id });
    });
    stop.dataset.action = "stop";
    cut.dataset.action = "partition";
    restart.dataset.action = "restart";
    row.lastChild.append(stop, cut, restart);
    body.appendChild(row);
    return row;
  }

  function renderNodes(view) {
    var body = $("nodes").tBodies[0];
    var notes = [];
    var ids = view.nodes.map(function (n) { return n.id; });
    Array.prototype.slice.call(body.rows).forEach(function (row) {
      if (ids.indexOf(row.dataset.node) < 0) row.remove();
    });
    view.nodes.forEach(function (node) {
      var v = node.view;
      var row = rowFor(body, node.id);
      body.appendChild(row); // keeps the rows in the view's order
      row.dataset.up = String(node.up);
      row.dataset.role = v ? v.role : "unknown";
      row.className = !node.up ? "is-down" : v.role === "leader" ? "is-leader" : "";
      var cells = row.cells;
      // Each node's name links to its own dashboard (to keep watching if this one stops).
      var label = node.id + (node.self ? " (serving)" : "");
      var href = node.http && !node.self ? location.protocol + "//" + node.http + "/dashboard" : "";
      if (cells[0].dataset.label !== label || cells[0].dataset.href !== href) {
        cells[0].dataset.label = label;
        cells[0].dataset.href = href;
        if (href) {
          var link = document.createElement("a");
          link.href = href;
          link.setAttribute("aria-label", node.id + ": open its own dashboard");
          cells[0].replaceChildren(text(link, label));
        } else {
          text(cells[0], label);
        }
      }
      var state = cells[1];
      state.replaceChildren();
      state.title = "";
      if (!node.up) {
        state.appendChild(badge("down", "bad"));
        state.title = node.error || "";
        notes.push(node.id + ": " + (node.error || "no answer"));
      } else if (v.state !== "running") {
        state.appendChild(badge(v.state, "bad"));
      } else if (v.isolated) {
        state.appendChild(badge("partitioned", "warn"));
      } else {
        state.appendChild(badge("up", "ok"));
      }
      if (!node.member) {
        state.appendChild(document.createTextNode(" "));
        state.appendChild(badge("not a member", "warn"));
      }
      cells[2].replaceChildren(v ? badge(v.role, v.role === "leader" ? "lead" : "ok")
        : document.createTextNode("unknown"));
      var values = v ? [v.term, v.leaderId || "none", v.commit, v.applied, v.lastIndex,
        v.snapshotIndex, v.votedFor ? v.votedFor.candidate + " (term " + v.votedFor.term + ")"
          : null] : [null, null, null, null, null, null, null];
      values.forEach(function (value, i) {
        text(cells[3 + i], value === null || value === undefined ? "–" : String(value));
      });
      var actions = cells[10];
      var isolated = Boolean(v && v.isolated);
      actions.querySelector("[data-action=stop]").hidden = !controlsOn || !node.up;
      var cut = actions.querySelector("[data-action=partition]");
      cut.hidden = !controlsOn || !node.up;
      cut.dataset.isolated = String(isolated);
      text(cut, isolated ? "heal" : "partition");
      cut.setAttribute("aria-label", (isolated ? "heal " : "partition ") + node.id);
      actions.querySelector("[data-action=restart]").hidden = !controlsOn || node.up;
    });
    text($("nodes-note"), notes.length ? "Not answering: " + notes.join("; ") : "");
  }

  function renderProgress(view) {
    var body = $("progress").tBodies[0];
    body.replaceChildren();
    var leader = view.nodes.find(function (n) {
      return n.id === view.leaderId && n.view && n.view.role === "leader" && n.view.peers;
    });
    if (!leader) {
      text($("progress-source"), "(no leader answers: progress unknown)");
      text($("last-win"), "");
      return;
    }
    text($("progress-source"), "(as " + leader.id + ", the leader, sees it)");
    leader.view.peers.forEach(function (p) {
      var row = document.createElement("tr");
      row.dataset.peer = p.id;
      cell(row, p.id + (p.id === leader.id ? " (leader)" : ""));
      cell(row, p.match);
      cell(row, p.next);
      cell(row, p.state);
      cell(row, p.lag);
      cell(row, p.recentActive ? "yes" : "no");
      body.appendChild(row);
    });
    var win = leader.view.lastWin;
    text($("last-win"), win ? "Last election: " + leader.id + " won term " + win.term +
      " with votes from " + win.voters.join(", ") + "." : "");
  }

  function spark(svg, values) {
    svg.replaceChildren();
    var points = values.filter(function (v) { return v !== null; });
    if (points.length === 0) return;
    var max = Math.max.apply(null, points.concat([1]));
    var step = 300 / Math.max(1, values.length - 1);
    var coords = [];
    values.forEach(function (v, i) {
      if (v === null) return;
      coords.push((i * step).toFixed(1) + "," + (58 - (v / max) * 56).toFixed(1));
    });
    // A lone point (one sample with writes) gets a second one beside it, to be visible.
    if (coords.length === 1) coords.push((parseFloat(coords[0]) + 3).toFixed(1) + "," +
      coords[0].split(",")[1]);
    var line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
    line.setAttribute("points", coords.join(" "));
    svg.appendChild(line);
  }

  function renderCharts(view) {
    var series = view.nodes.filter(function (n) { return n.view; })
      .map(function (n) { return n.view.series; });
    var length = Math.max.apply(null, series.map(function (s) { return s.length; }).concat([0]));
    var ops = [];
    var latency = [];
    for (var i = 0; i < length; i++) {
      var sum = 0;
      var worst = null;
      series.forEach(function (s) {
        var sample = s[s.length - length + i];
        if (!sample) return;
        sum += sample.committedPerSec;
        if (sample.latencyP99Ms !== null && (worst === null || sample.latencyP99Ms > worst)) {
          worst = sample.latencyP99Ms;
        }
      });
      ops.push(sum);
      latency.push(worst);
    }
    spark($("ops-chart"), ops);
    spark($("latency-chart"), latency);
    var lastOps = ops.length ? ops[ops.length - 1] : null;
    var lastLatency = latency.length ? latency[latency.length - 1] : null;
    text($("ops-now"), lastOps === null ? "–" : lastOps.toFixed(0) + "/s");
    text($("latency-now"),
      lastLatency === null ? "– (no writes)" : lastLatency.toFixed(1) + " ms");
  }

  function renderTimeline(view) {
    var list = $("timeline");
    list.replaceChildren();
    view.events.slice().reverse().forEach(function (e) {
      var li = document.createElement("li");
      li.className = e.kind;
      var time = document.createElement("time");
      var at = new Date(e.atMs);
      time.dateTime = at.toISOString();
      text(time, at.toLocaleTimeString());
      li.appendChild(time);
      var kind = document.createElement("span");
      kind.className = "kind";
      text(kind, e.kind);
      li.appendChild(kind);
      li.appendChild(document.createTextNode(e.node + ": " + e.text +
        (e.count > 1 ? " (×" + e.count + ")" : "")));
      list.appendChild(li);
    });
  }

  function renderControls(view) {
    controlsOn = view.controls;
    document.body.classList.toggle("with-controls", controlsOn);
    $("controls").hidden = !controlsOn;
    if (!controlsOn) return;
    var select = $("transfer-to");
    var chosen = select.value;
    select.replaceChildren();
    var any = document.createElement("option");
    any.value = "";
    text(any, "the most up-to-date voter");
    select.appendChild(any);
    view.nodes.forEach(function (n) {
      if (!n.member || n.id === view.leaderId) return;
      var option = document.createElement("option");
      option.value = n.id;
      text(option, n.id);
      select.appendChild(option);
    });
    select.value = chosen;
  }

  function render(view) {
    text($("served-by"), view.servedBy);
    var leader = view.leaderId;
    text($("leader"), leader || "none");
    var leaderNode = view.nodes.find(function (n) { return n.id === leader && n.view; });
    var self = view.nodes.find(function (n) { return n.self; });
    var termSource = leaderNode || self;
    text($("term"), termSource && termSource.view ? String(termSource.view.term) : "?");
    if (leader !== lastLeader) {
      announce(leader ? "Leader is now " + leader : "No leader known");
      lastLeader = leader;
    }
    renderControls(view);
    renderNodes(view);
    renderProgress(view);
    renderCharts(view);
    renderTimeline(view);
  }

  function connect() {
    var events = new EventSource("/v1/dashboard/events");
    events.addEventListener("open", function () { setConnection("live", "ok"); });
    events.addEventListener("error", function () {
      setConnection("connection to this node lost: reconnecting… (the node names link to " +
        "the other nodes' dashboards)", "bad");
    });
    events.addEventListener("cluster", function (message) {
      setConnection("live", "ok");
      render(JSON.parse(message.data));
    });
    events.addEventListener("problem", function (message) {
      setConnection("problem: " + JSON.parse(message.data).message, "warn");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("transfer-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var to = $("transfer-to").value;
      control("transfer", to ? { to: to } : {});
    });
    connect();
  });
})();
`;
