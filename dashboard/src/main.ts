/**
 * The BLOCKAI dashboard: a single page, one view per hash route. It reads the node given by
 * `?node=URL` (CometBFT RPC, CORS allowed), else the RPC that the serving node proxies at /rpc.
 *
 * Every number is rendered with `data-k` (what it is) and `data-v` (the raw on-chain value), and
 * every view with `data-height` (the state it read), so a test can check what is shown against
 * the chain's own queries.
 */
import "./buffer-shim";
import { Chain, HISTORY_EPOCHS, type Missing } from "./chain";
import { destroyCharts, lineChart, resizeCharts } from "./charts";
import { duration, fixed, groupDigits, hashrate, msgLabel, percent, ppm, shortAddress, soa, toJson } from "./format";

const MODEL_STATUS = ["unspecified", "active", "paused", "retired"];
const BOND_STATUS = ["unspecified", "unbonded", "unbonding", "bonded"];
/** Views that follow the chain re-read it this often. */
const REFRESH_MS = 4000;

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A number on the page: its text, and its raw value for checks. */
function num(k: string, raw: bigint | number | string | undefined, text: string): string {
  return raw === undefined ? `<span data-k="${k}" class="na">–</span>` : `<span data-k="${k}" data-v="${esc(raw)}">${esc(text)}</span>`;
}

function missingNote(missing: Missing[]): string {
  if (missing.length === 0) return "";
  return `<div class="missing" data-k="missing"><strong>Not shown:</strong><ul>${missing.map((m) => `<li>${esc(m.what)}: ${esc(m.why)}</li>`).join("")}</ul></div>`;
}

function nodeUrl(): string {
  const fromQuery = new URLSearchParams(location.search).get("node");
  return fromQuery ? fromQuery.replace(/\/$/, "") : new URL("rpc", location.href.replace(/[?#].*$/, "")).href;
}

let chain: Chain | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let renderSeq = 0;

const view = () => document.getElementById("view")!;

function card(label: string, body: string, extra = ""): string {
  return `<div class="card"><div class="label">${esc(label)}</div><div class="value">${body}</div>${extra ? `<div class="extra">${extra}</div>` : ""}</div>`;
}

// ---- views ----------------------------------------------------------------------------------------

async function overview(c: Chain): Promise<string> {
  const o = await c.overview();
  const e = o.epoch;
  const done = BigInt(o.height) - e.startHeight + 1n;
  const progress = Number((done * 1000n) / e.length) / 10;
  return `
    <h1>Overview</h1>
    <section class="cards" data-height="${o.height}">
      ${card("Height", num("height", o.height, groupDigits(o.height)), `chain ${num("chain-id", o.chainId, o.chainId)}`)}
      ${card("Block time", num("block-time", o.blockTimeMs === undefined ? undefined : Math.round(o.blockTimeMs), o.blockTimeMs === undefined ? "–" : duration(o.blockTimeMs)), "mean of the last 20 blocks")}
      ${card("Validators", num("validators", o.validators, String(o.validators)), `voting power ${num("total-power", o.totalPower, groupDigits(o.totalPower))}`)}
      ${card("Bonded ratio", num("bonded-ratio", o.bonded !== undefined && o.supply ? `${o.bonded}/${o.supply}` : undefined, o.bonded !== undefined && o.supply !== undefined ? percent(o.bonded, o.supply, o.bonded * 100n < o.supply ? 4 : 2) : "–"), `bonded ${num("bonded", o.bonded, o.bonded === undefined ? "" : soa(o.bonded, 0))}`)}
      ${card("Supply", num("supply", o.supply, o.supply === undefined ? "" : soa(o.supply, 2)), o.minted !== undefined && o.maxEmission !== undefined ? `minted ${num("minted", o.minted, soa(o.minted, 2))} of ${soa(o.maxEmission, 0)}` : "")}
      ${card("Emission", `${num("emission-block", o.emissionPerBlock, o.emissionPerBlock === undefined ? "" : soa(o.emissionPerBlock))} <small>per block</small>`, `${num("emission-epoch", o.emissionPerEpoch, o.emissionPerEpoch === undefined ? "" : soa(o.emissionPerEpoch))} per epoch${o.halvings !== undefined ? `, after ${num("halvings", o.halvings, String(o.halvings))} halvings` : ""}`)}
    </section>
    <section class="epoch">
      <h2>Epoch ${num("epoch", e.number, String(e.number))}</h2>
      <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${progress}"><div style="width:${Math.min(100, progress)}%"></div></div>
      <p>blocks ${num("epoch-start", e.startHeight, groupDigits(e.startHeight))} – ${num("epoch-end", e.endHeight, groupDigits(e.endHeight))},
      ${num("epoch-progress", done, `${done} of ${e.length}`)} done,
      ${num("blocks-left", o.blocksLeft, String(Math.max(0, o.blocksLeft)))} blocks left
      (about ${num("time-left", o.timeLeftMs === undefined ? undefined : Math.round(o.timeLeftMs), o.timeLeftMs === undefined ? "–" : duration(o.timeLeftMs))})</p>
    </section>
    ${missingNote(c.missing)}`;
}

type ModelRow = Awaited<ReturnType<Chain["models"]>>["rows"][number];
const MODEL_COLUMNS: Array<{ key: string; label: string; numeric?: boolean; sort: (r: ModelRow) => bigint | number | string }> = [
  { key: "id", label: "ID", sort: (r) => r.id },
  { key: "name", label: "Model", sort: (r) => r.name.toLowerCase() },
  { key: "status", label: "Status", sort: (r) => r.status },
  { key: "score", label: "Consensus score", numeric: true, sort: (r) => r.score ?? -1 },
  { key: "units", label: "Usage (units)", numeric: true, sort: (r) => r.units },
  { key: "paid", label: "Paid", numeric: true, sort: (r) => r.paid },
  { key: "rewards", label: "Rewards", numeric: true, sort: (r) => r.rewards ?? -1n },
];
let modelSort = { key: "score", desc: true };

async function models(c: Chain): Promise<string> {
  const m = await c.models();
  const col = MODEL_COLUMNS.find((x) => x.key === modelSort.key) ?? MODEL_COLUMNS[3];
  const rows = [...m.rows].sort((a, b) => {
    const x = col.sort(a);
    const y = col.sort(b);
    // Ties in model id order, whichever the direction.
    if (x === y) return Number(a.id - b.id);
    return (x < y ? -1 : 1) * (modelSort.desc ? -1 : 1);
  });
  const head = MODEL_COLUMNS.map(
    (x) => `<th data-sort="${x.key}" class="sortable${x.numeric ? " n" : ""}${x.key === modelSort.key ? (modelSort.desc ? " desc" : " asc") : ""}" aria-sort="${x.key === modelSort.key ? (modelSort.desc ? "descending" : "ascending") : "none"}">${esc(x.label)}</th>`,
  ).join("");
  const body = rows
    .map(
      (r) => `<tr data-model="${r.id}">
        <td>${num("id", r.id, String(r.id))}</td>
        <td><a href="#/model/${r.id}" data-k="link">${esc(r.name)}</a> <small>${esc(r.version)} · ${esc(r.task)}</small><br><small title="${esc(r.owner)}">${esc(shortAddress(r.owner))}</small></td>
        <td><span class="status s${r.status}" data-k="status" data-v="${r.status}">${MODEL_STATUS[r.status] ?? r.status}</span></td>
        <td class="n">${num("score", r.score, r.score === undefined ? "" : ppm(r.score))}</td>
        <td class="n">${num("units", r.units, groupDigits(r.units))}</td>
        <td class="n">${num("paid", r.paid, soa(r.paid))}</td>
        <td class="n">${num("rewards", r.rewards, r.rewards === undefined ? "" : soa(r.rewards))}</td>
      </tr>`,
    )
    .join("");
  return `
    <h1>Models</h1>
    <p class="sub" data-height="${c.at}">Usage and paid amounts of epoch ${num("usage-epoch", m.epoch, String(m.epoch))} (so far);
      consensus scores of epoch ${m.scoredEpoch === undefined ? "<span data-k=\"score-epoch\">– (none yet)</span>" : num("score-epoch", m.scoredEpoch, String(m.scoredEpoch))};
      rewards of epoch ${m.rewardsEpoch === undefined ? "<span data-k=\"rewards-epoch\">– (none yet)</span>" : num("rewards-epoch", m.rewardsEpoch, String(m.rewardsEpoch))}. Click a column to sort.</p>
    ${rows.length === 0 ? `<p class="empty">No model is registered yet (<code>blockai tx registry register-model</code>).</p>` : `<div class="scroll"><table class="models"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`}
    ${missingNote(c.missing)}`;
}

async function modelPage(c: Chain, id: bigint): Promise<string> {
  const m = await c.model(id);
  if (!m) return `<h1>Model ${esc(id)}</h1><p class="empty" data-k="not-found">No model ${esc(id)} on this chain.</p><p><a href="#/models">All models</a></p>`;
  const model = m.model;
  const evals = m.evaluations.length
    ? `<div class="scroll"><table><thead><tr><th>Epoch</th><th>Validator</th><th class="n">Score</th><th class="n">Revealed at height</th></tr></thead><tbody>${m.evaluations
        .map((e) => `<tr data-eval="${e.epoch}-${esc(e.scorer)}"><td>${num("eval-epoch", e.epoch, String(e.epoch))}</td><td title="${esc(e.scorer)}">${esc(e.validator)}</td><td class="n">${num("eval-score", e.scorePpm, ppm(e.scorePpm))}</td><td class="n">${groupDigits(e.height)}</td></tr>`)
        .join("")}</tbody></table></div>`
    : `<p class="empty" data-k="no-evaluations">No validator has revealed a score for this model in the recent score reveals.</p>`;
  const history = m.history
    .map(
      (h) => `<tr data-epoch="${h.epoch}"><td>${h.epoch}</td><td class="n">${num("h-score", h.scorePpm, h.scorePpm === undefined ? "" : ppm(h.scorePpm))}</td><td class="n">${num("h-units", h.units, groupDigits(h.units))}</td><td class="n">${num("h-paid", h.paid, soa(h.paid))}</td><td class="n">${num("h-rewards", h.rewards, h.rewards === undefined ? "" : soa(h.rewards))}</td></tr>`,
    )
    .join("");
  return `
    <p><a href="#/models">← All models</a></p>
    <h1 data-k="model-name" data-height="${c.at}">${esc(model.name)} <small>${esc(model.version)}</small></h1>
    <section class="cards">
      ${card("Status", `<span class="status s${model.status}" data-k="status" data-v="${model.status}">${MODEL_STATUS[model.status] ?? model.status}</span>`, `task ${esc(model.task)}`)}
      ${card("Price", num("price", model.pricePerUnit?.amount, soa(model.pricePerUnit?.amount ?? "0")), `per ${esc(model.unit)}`)}
      ${card("Bond", num("bond", model.bond?.amount, soa(model.bond?.amount ?? "0", 2)))}
      ${card("Escrows", num("escrows", m.escrows, m.escrows === undefined ? "" : groupDigits(m.escrows)), "opened for this model")}
    </section>
    <dl class="facts">
      <dt>ID</dt><dd>${num("model-id", model.id, String(model.id))}</dd>
      <dt>Owner</dt><dd><code data-k="owner">${esc(model.owner)}</code></dd>
      <dt>Endpoint</dt><dd>${model.endpoint ? `<code data-k="endpoint">${esc(model.endpoint)}</code>` : `<span data-k="endpoint" class="na">none registered</span>`}</dd>
      <dt>Artifact digest</dt><dd><code>${esc(Array.from(model.artifactDigest, (b) => b.toString(16).padStart(2, "0")).join(""))}</code></dd>
      ${model.operators.length ? `<dt>Operators</dt><dd>${model.operators.map((o) => `<code>${esc(o)}</code>`).join("<br>")}</dd>` : ""}
    </dl>
    <h2>History (last ${HISTORY_EPOCHS} epochs)</h2>
    <div class="charts"><div id="chart-score" class="chart"></div><div id="chart-usage" class="chart"></div></div>
    <div class="scroll"><table class="history"><thead><tr><th>Epoch</th><th class="n">Consensus score</th><th class="n">Usage (units)</th><th class="n">Paid</th><th class="n">Rewards</th></tr></thead><tbody>${history}</tbody></table></div>
    <h2>Evaluations by validator</h2>
    ${evals}
    ${missingNote(c.missing)}
    <div hidden id="chart-data" data-json="${esc(JSON.stringify({ xs: m.history.map((h) => Number(h.epoch)), score: m.history.map((h) => (h.scorePpm === undefined ? null : h.scorePpm / 10_000)), units: m.history.map((h) => Number(h.units)) }))}"></div>`;
}

function drawModelCharts(): void {
  const el = document.getElementById("chart-data");
  if (!el) return;
  const d = JSON.parse(el.dataset.json!) as { xs: number[]; score: Array<number | null>; units: number[] };
  lineChart(document.getElementById("chart-score")!, "Consensus score (%)", "epoch", d.xs, [{ label: "score %", values: d.score, color: "#2b7bd6" }], { yRange: [0, 100] });
  lineChart(document.getElementById("chart-usage")!, "Usage (units per epoch)", "epoch", d.xs, [{ label: "units", values: d.units, color: "#d6762b" }], { bars: true });
}

async function miners(c: Chain): Promise<string> {
  const m = await c.miners();
  const top = m.top.length
    ? `<div class="scroll"><table class="miners"><thead><tr><th>Miner</th><th class="n">Certificates (epochs ${m.firstEpoch}–${m.epoch})</th><th class="n">Work</th><th class="n">This epoch</th></tr></thead><tbody>${m.top
        .map((r) => `<tr data-miner="${esc(r.miner)}"><td title="${esc(r.miner)}"><code>${esc(shortAddress(r.miner))}</code></td><td class="n">${num("m-certs", r.certificates, groupDigits(r.certificates))}</td><td class="n">${num("m-work", r.work, groupDigits(r.work))}</td><td class="n">${num("m-current", r.current, groupDigits(r.current))}</td></tr>`)
        .join("")}</tbody></table></div>`
    : `<p class="empty" data-k="no-miners">No certificate in the recent txs (<code>blockai mine --model ID --from KEY</code>).</p>`;
  const history = m.history.map((h) => `<tr data-epoch="${h.epoch}"><td>${h.epoch}</td><td class="n">${num("h-certs", h.certificates, groupDigits(h.certificates))}</td><td class="n">${num("h-work", h.work, groupDigits(h.work))}</td></tr>`).join("");
  const targets = m.history.map((h) => (h.target ? targetLog2(h.target) : null));
  return `
    <h1>Miners</h1>
    <section class="cards" data-height="${m.height}">
      ${card("Hashrate (estimate)", num("hashrate", m.hashrate === undefined ? undefined : Math.round(m.hashrate), m.hashrate === undefined ? "–" : hashrate(m.hashrate)), `certified work of epochs ${num("hashrate-from", m.firstEpoch, String(m.firstEpoch))}–${m.epoch} over their time`)}
      ${card("Certificates this epoch", num("epoch-certs", m.target.epochCertificates, groupDigits(m.target.epochCertificates)), `epoch ${num("epoch", m.epoch, String(m.epoch))}`)}
      ${card("Work per certificate", num("work-per-cert", m.target.workPerCertificate, groupDigits(m.target.workPerCertificate)), "expected hashes at the current target")}
      ${card("Target", `<code class="target" data-k="target" data-v="${esc(m.target.target)}">${esc(m.target.target.replace(/^0x/, "").slice(0, 16))}…</code>`, "a seal below it is a certificate")}
    </section>
    <div class="charts"><div id="chart-certs" class="chart"></div><div id="chart-target" class="chart"></div></div>
    <h2>Top miners</h2>
    ${top}
    <h2>Certificates per epoch</h2>
    <div class="scroll"><table class="history"><thead><tr><th>Epoch</th><th class="n">Certificates</th><th class="n">Work</th></tr></thead><tbody>${history}</tbody></table></div>
    ${missingNote(c.missing)}
    <div hidden id="chart-data" data-json="${esc(JSON.stringify({ xs: m.history.map((h) => Number(h.epoch)), certs: m.history.map((h) => Number(h.certificates)), target: targets }))}"></div>`;
}

/** log2 of a 256-bit target (hex): the chart's scale for difficulty (lower = harder). */
function targetLog2(hex: string): number | null {
  try {
    const t = BigInt(hex.startsWith("0x") ? hex : "0x" + hex);
    if (t <= 0n) return 0;
    const bits = t.toString(2).length;
    // Two decimals from the top bits are enough for a chart.
    const top = Number(t >> BigInt(Math.max(0, bits - 24)));
    return bits - 24 + Math.log2(top);
  } catch {
    return null;
  }
}

function drawMinerCharts(): void {
  const el = document.getElementById("chart-data");
  if (!el) return;
  const d = JSON.parse(el.dataset.json!) as { xs: number[]; certs: number[]; target: Array<number | null> };
  lineChart(document.getElementById("chart-certs")!, "Certificates per epoch", "epoch", d.xs, [{ label: "certificates", values: d.certs, color: "#2b9d5c" }], { bars: true });
  lineChart(document.getElementById("chart-target")!, "Target (log2; lower is harder)", "epoch", d.xs, [{ label: "log2 target", values: d.target, color: "#8a4fd1" }]);
}

async function validators(c: Chain): Promise<string> {
  const v = await c.validators();
  const rows = v.rows
    .map(
      (r) => `<tr data-validator="${esc(r.operator)}">
        <td>${esc(r.moniker)}<br><small title="${esc(r.operator)}">${esc(shortAddress(r.operator))}</small></td>
        <td>${esc(BOND_STATUS[r.status] ?? r.status)}${r.jailed ? ' <span class="status s3">jailed</span>' : ""}</td>
        <td class="n">${num("power", r.power, groupDigits(r.power))}</td>
        <td class="n">${num("commission-rate", r.commissionRate, `${fixed(r.commissionRate * 100n, 18, 2)}%`)}</td>
        <td class="n">${num("uptime", r.missed === undefined || !v.window ? undefined : `${r.missed}/${v.window}`, r.missed === undefined || !v.window ? "" : percent(v.window - r.missed, v.window))}</td>
        <td class="n">${num("agreement", r.agreementPpm, r.agreementPpm === undefined ? "" : ppm(r.agreementPpm))}</td>
        <td class="n">${num("outstanding", r.outstanding, soa(r.outstanding, 2))}<br><small>commission ${num("commission", r.commission, soa(r.commission, 2))}</small></td>
      </tr>`,
    )
    .join("");
  return `
    <h1>Validators</h1>
    <p class="sub" data-height="${v.height}">Uptime over the last ${num("window", v.window, v.window === undefined ? "–" : String(v.window))} blocks (slashing's signing window); agreement with the consensus score of epoch ${v.scoredEpoch === undefined ? "– (none yet)" : num("score-epoch", v.scoredEpoch, String(v.scoredEpoch))}.</p>
    <div class="scroll"><table class="validators"><thead><tr><th>Validator</th><th>Status</th><th class="n">Power</th><th class="n">Commission</th><th class="n">Uptime</th><th class="n">Agreement</th><th class="n">Rewards (outstanding)</th></tr></thead><tbody>${rows}</tbody></table></div>
    ${missingNote(c.missing)}`;
}

async function txs(c: Chain): Promise<string> {
  const list = await c.recentTxs();
  const rows = list
    .map(
      (t) => `<tr data-tx="${t.hash}" class="${t.code === 0 ? "" : "failed"}">
        <td class="n">${groupDigits(t.height)}</td>
        <td><a href="#/tx/${t.hash}" data-k="tx-link"><code>${t.hash.slice(0, 10)}…</code></a></td>
        <td>${t.msgs.map((m) => `<span class="msg" data-k="msg" data-v="${esc(m)}">${esc(msgLabel(m))}</span>`).join(" ")}</td>
        <td><small title="${esc(t.sender)}">${esc(shortAddress(t.sender))}</small></td>
        <td>${t.code === 0 ? "ok" : `failed (${t.code})`}</td>
      </tr>`,
    )
    .join("");
  return `
    <h1>Transactions <small class="live">live</small></h1>
    <p class="sub">The ${list.length} most recent transactions, newest first (refreshed every ${REFRESH_MS / 1000} s).</p>
    ${list.length ? `<div class="scroll"><table class="txs"><thead><tr><th class="n">Height</th><th>Hash</th><th>Type</th><th>Signer</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table></div>` : `<p class="empty">No transaction yet.</p>`}`;
}

async function txPage(c: Chain, hash: string): Promise<string> {
  const t = await c.tx(hash);
  return `
    <p><a href="#/txs">← Transactions</a></p>
    <h1>Transaction</h1>
    <dl class="facts">
      <dt>Hash</dt><dd><code data-k="tx-hash">${t.hash}</code></dd>
      <dt>Height</dt><dd>${num("tx-height", t.height, groupDigits(t.height))}</dd>
      <dt>Result</dt><dd>${t.code === 0 ? "ok" : `failed: ${esc(t.codespace)}/${t.code} ${esc(t.log)}`}</dd>
      <dt>Gas</dt><dd>${groupDigits(t.gasUsed)} used of ${groupDigits(t.gasWanted)}</dd>
      <dt>Fee</dt><dd>${t.fee.map((f) => esc(`${f.amount}${f.denom}`)).join(", ") || "none"}</dd>
      ${t.memo ? `<dt>Memo</dt><dd>${esc(t.memo)}</dd>` : ""}
    </dl>
    <h2>Messages</h2>
    ${t.messages.map((m) => `<h3>${esc(msgLabel(m.typeUrl))} <small><code>${esc(m.typeUrl)}</code></small></h3><pre>${esc(toJson(m.value))}</pre>`).join("")}
    <h2>Events</h2>
    <div class="scroll"><table><tbody>${t.events.map((e) => `<tr><th>${esc(e.type)}</th><td>${e.attributes.map((a) => `${esc(a.key)}=<code>${esc(a.value)}</code>`).join("<br>")}</td></tr>`).join("")}</tbody></table></div>`;
}

// ---- routing ----------------------------------------------------------------------------------------

interface Route {
  name: string;
  render: (c: Chain) => Promise<string>;
  after?: () => void;
  refresh?: boolean;
}

function route(): Route {
  const hash = location.hash.replace(/^#\/?/, "");
  const [head, arg] = hash.split("/");
  switch (head) {
    case "models":
      return { name: "models", render: models };
    case "model":
      if (/^\d+$/.test(arg ?? "")) return { name: "models", render: (c) => modelPage(c, BigInt(arg)), after: drawModelCharts };
      return { name: "models", render: models };
    case "miners":
      return { name: "miners", render: miners, after: drawMinerCharts };
    case "validators":
      return { name: "validators", render: validators };
    case "txs":
      return { name: "txs", render: txs, refresh: true };
    case "tx":
      return { name: "txs", render: (c) => txPage(c, arg ?? "") };
    default:
      return { name: "overview", render: overview, refresh: true };
  }
}

async function render(): Promise<void> {
  const seq = ++renderSeq;
  if (timer) clearTimeout(timer);
  const r = route();
  for (const a of document.querySelectorAll<HTMLAnchorElement>("nav a[data-view]")) a.classList.toggle("active", a.dataset.view === r.name);
  const el = view();
  el.setAttribute("aria-busy", "true");
  try {
    if (!chain) chain = await Chain.connect(nodeUrl());
    chain.missing.length = 0;
    const t0 = performance.now();
    const html = await r.render(chain);
    if (seq !== renderSeq) return; // a newer navigation won
    destroyCharts();
    el.innerHTML = html;
    el.dataset.view = r.name;
    el.dataset.loadMs = String(Math.round(performance.now() - t0));
    r.after?.();
    document.getElementById("node")!.textContent = chain.url;
  } catch (e) {
    if (seq !== renderSeq) return;
    destroyCharts();
    el.dataset.view = "error";
    el.innerHTML = `<h1>Cannot read the node</h1><p class="error" data-k="error">${esc((e as Error).message)}</p>
      <p>The dashboard reads <code>${esc(nodeUrl())}</code>. Open it with <code>?node=http://HOST:26657</code> for another node
      (its CometBFT RPC must allow this page's origin: <code>cors_allowed_origins</code> in config.toml), or from a node that serves it (<code>dashboard_address</code> in app.json).</p>`;
    chain?.disconnect();
    chain = undefined;
  } finally {
    if (seq === renderSeq) {
      el.removeAttribute("aria-busy");
      el.dataset.rendered = String(seq);
      if (r.refresh) timer = setTimeout(() => void render(), REFRESH_MS);
    }
  }
}

function onSortClick(ev: MouseEvent): void {
  const th = (ev.target as HTMLElement).closest<HTMLElement>("th[data-sort]");
  if (!th) return;
  const key = th.dataset.sort!;
  modelSort = { key, desc: modelSort.key === key ? !modelSort.desc : key !== "name" && key !== "id" };
  void render();
}

function start(): void {
  const form = document.getElementById("node-form") as HTMLFormElement;
  const input = form.querySelector("input")!;
  input.value = new URLSearchParams(location.search).get("node") ?? "";
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams(location.search);
    if (input.value.trim()) q.set("node", input.value.trim());
    else q.delete("node");
    location.search = q.toString();
  });
  view().addEventListener("click", onSortClick);
  window.addEventListener("hashchange", () => void render());
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(resizeCharts, 150);
  });
  void render();
}

start();
