/**
 * The dashboard's one page: plain HTML, CSS and a small script that polls api/state (beside the page) every
 * second and redraws. No framework and no external asset: it must work on a machine with no
 * internet, and it shows no secret (the state it reads has none).
 */
export const dashboardPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>galera-pilot</title>
<style>
  :root { --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #57606a; --line: #d0d7de; }
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
  header { padding: 12px 20px; background: #24292f; color: #fff; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  #headline { font-weight: 600; }
  #updated { margin-left: auto; color: #afb8c1; font-size: 12px; }
  main { padding: 16px 20px; display: grid; gap: 16px; }
  .nodes { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; }
  .node { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--bad); border-radius: 6px; padding: 10px 12px; }
  .node.synced { border-left-color: var(--ok); }
  .node.joining { border-left-color: var(--warn); }
  .node h2 { margin: 0 0 6px; font-size: 16px; display: flex; gap: 8px; align-items: center; }
  .badge { font-size: 11px; padding: 1px 6px; border-radius: 10px; background: #0969da; color: #fff; }
  .phase { font-weight: 600; }
  .synced .phase { color: var(--ok); } .joining .phase { color: var(--warn); } .unhealthy .phase { color: var(--bad); }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; }
  dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; }
  .codes span { display: inline-block; margin-right: 4px; padding: 0 4px; border-radius: 3px; font-size: 12px; background: #eaeef2; }
  .codes .c200 { background: #dafbe1; } .codes .c100 { background: #fff8c5; } .codes .c503, .codes .cnone { background: #ffebe9; }
  .decision { color: var(--muted); font-size: 12px; margin-top: 6px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
  section h3 { margin: 0 0 8px; font-size: 14px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); font-size: 13px; }
  .UP { color: var(--ok); font-weight: 600; } .DOWN { color: var(--bad); font-weight: 600; }
  #timeline { max-height: 320px; overflow: auto; }
  #timeline td:first-child { white-space: nowrap; color: var(--muted); }
  .error { color: var(--bad); }
</style>
</head>
<body>
<header><h1>galera-pilot</h1><span id="headline">loading…</span><span id="updated"></span></header>
<main>
  <div class="nodes" id="nodes"></div>
  <section><h3>HAProxy backends</h3><table id="backends"><thead><tr><th>server</th><th>writer pool</th><th>read pool</th></tr></thead><tbody></tbody></table></section>
  <section><h3>Backups</h3><p id="backups" data-field="backups">—</p></section>
  <section><h3>Timeline (newest first)</h3><div id="timeline"><table><tbody></tbody></table></div></section>
</main>
<script>
const el = (tag, attrs, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
};
const kind = (phase) => phase === "synced" ? "synced" : ["starting", "donor", "waiting", "preparing", "agent-starting"].includes(phase) ? "joining" : "unhealthy";
function render(state) {
  const synced = state.nodes.filter((n) => n.phase === "synced").length;
  const writer = state.nodes.find((n) => n.writer);
  document.getElementById("headline").textContent =
    synced + " of " + state.nodes.length + " synced" + (writer ? " · writes go to " + writer.name : " · no writer");
  document.getElementById("updated").textContent = "updated " + new Date(state.updatedAt).toLocaleTimeString();
  const nodes = document.getElementById("nodes");
  nodes.replaceChildren(...state.nodes.map((n) => {
    const codes = el("dd", { class: "codes", "data-field": "health" },
      ...["/", "/ready", "/live", "/writer"].map((p) => {
        const c = n.health ? n.health[p] : null;
        return el("span", { class: "c" + (c ?? "none"), title: p }, p + " " + (c ?? "—"));
      }));
    const card = el("article", { class: "node " + kind(n.phase), "data-node": n.name },
      el("h2", {}, n.name, ...(n.writer ? [el("span", { class: "badge", "data-field": "writer" }, "writer")] : [])),
      el("dl", {},
        el("dt", {}, "phase"), el("dd", { class: "phase", "data-field": "phase" }, n.phase),
        el("dt", {}, "wsrep"), el("dd", { "data-field": "state" }, (n.state ?? "—") + " · " + (n.clusterStatus ?? "—")),
        el("dt", {}, "size"), el("dd", {}, String(n.clusterSize ?? "—")),
        el("dt", {}, "seqno"), el("dd", { "data-field": "seqno" }, String(n.seqno ?? "—")),
        el("dt", {}, "address"), el("dd", {}, n.address),
        el("dt", {}, "health"), codes),
      ...(n.lastDecision ? [el("div", { class: "decision", "data-field": "decision" }, n.lastDecision)] : []),
      ...(n.archive ? [el("div", { class: "decision" + (/GAP|failing/.test(n.archive) ? " error" : ""), "data-field": "archive" }, n.archive)] : []));
    return card;
  }));
  const servers = [...new Set(state.backends.map((b) => b.server))];
  const cell = (backend, server) => {
    const row = state.backends.find((b) => b.backend === backend && b.server === server);
    const status = row ? row.status : "—";
    return el("td", { class: status.split(" ")[0] }, status + (row && row.sessions ? " · " + row.sessions + " sessions" : ""));
  };
  document.querySelector("#backends tbody").replaceChildren(...(servers.length === 0
    ? [el("tr", {}, el("td", { colspan: "3" }, "no router known here (the local runner's page shows HAProxy's pools)"))]
    : servers.map((s) =>
        el("tr", { "data-server": s }, el("td", {}, s), cell("galera_writer", s), cell("galera_readers", s)))));
  document.getElementById("backups").textContent = state.backups ?? "not known here (the local runner's page reads its backup folder)";
  document.querySelector("#timeline tbody").replaceChildren(...[...state.timeline].reverse().map((e) =>
    el("tr", {}, el("td", {}, new Date(e.at).toLocaleTimeString()), el("td", {}, e.node), el("td", {}, e.text))));
}
async function tick() {
  try {
    const answer = await fetch("api/state", { cache: "no-store" });
    render(await answer.json());
  } catch (error) {
    document.getElementById("headline").replaceChildren(el("span", { class: "error" }, "the local runner does not answer: " + error));
  }
  setTimeout(tick, 1000);
}
tick();
</script>
</body>
</html>
`;
