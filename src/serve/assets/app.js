// drgsim serve: the what-if page. No framework, no network beyond this server.
"use strict";

const S = {
  info: null,        // /api/levers
  lang: "zh",
  values: {},        // lever key -> value on the page
  fund: 0,           // fund index shown
  probYear: null,
  result: null,      // last /api/update answer
  seq: 0,            // request counter (stale answers are dropped)
  timer: null,
};
const $ = (id) => document.getElementById(id);
const W = (k) => (S.info.words[S.lang][k] ?? k);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

function num(x, d) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return x.toLocaleString(S.lang === "zh" ? "zh-CN" : "en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}
const pct = (x) => (Number.isFinite(x) ? num(100 * x, 1) + " %" : "–");
// 1 亿元 = 10,000 万元; 1 bn yuan = 100,000 万元.
const money = (wan) => (Number.isFinite(wan) ? (S.lang === "zh" ? num(wan / 1e4, 2) + " 亿元" : num(wan / 1e5, 2) + " bn yuan") : "–");
const yearOr = (y) => (y === null || y === undefined ? W("never") : String(y));
// Months payable below zero are a shortfall, not a runway: shown as 0 with the
// depletion word, and drawn clipped at 0 (the PNG charts do the same).
const clip0 = (a) => a.map((v) => (Number.isFinite(v) && v < 0 ? 0 : v));
const monthsText = (v) => (Number.isFinite(v) && v < 0 ? num(0, 1) + (S.lang === "zh" ? " 个月（" + W("depleted") + "）" : " mo (" + W("depleted") + ")") : num(v, 1) + (S.lang === "zh" ? " 个月" : " mo"));

async function init() {
  const r = await fetch("/api/levers");
  S.info = await r.json();
  for (const l of S.info.levers) S.values[l.key] = l.value;
  S.probYear = S.info.years[S.info.years.length - 1];
  const sel = $("prob-year");
  for (const y of S.info.years) sel.add(new Option(String(y), String(y)));
  sel.value = String(S.probYear);
  sel.addEventListener("change", () => { S.probYear = +sel.value; schedule(0); });
  $("lang").addEventListener("click", () => { S.lang = S.lang === "zh" ? "en" : "zh"; render(); });
  $("reset-all").addEventListener("click", () => { for (const l of S.info.levers) S.values[l.key] = l.value; buildLevers(); schedule(0); });
  $("dl-reform").addEventListener("click", () => download("/api/reform.toml", "reform.toml"));
  $("dl-html").addEventListener("click", () => download("/api/report.html", "report.html"));
  $("dl-xlsx").addEventListener("click", () => download("/api/report.xlsx", "report.xlsx"));
  S.result = S.info.baseline;
  render();
}

function changed() {
  const set = {};
  for (const l of S.info.levers) {
    const v = S.values[l.key];
    if (v !== l.value) set[l.key] = l.key === "scenario.policy_rules" ? v === 1 : v;
  }
  return set;
}

function body() {
  return JSON.stringify({ set: changed(), paths: 2000, year: S.probYear, lang: S.lang });
}

// Debounced while dragging: at most one request in flight matters (the newest).
function schedule(ms) {
  clearTimeout(S.timer);
  S.timer = setTimeout(update, ms);
}

async function update() {
  const seq = ++S.seq;
  $("status").textContent = "…";
  try {
    const r = await fetch("/api/update", { method: "POST", headers: { "Content-Type": "application/json" }, body: body() });
    const j = await r.json();
    if (seq !== S.seq) return;
    if (!r.ok) { showError(j.error || r.statusText); return; }
    showError(null);
    S.result = j;
    drawResults();
  } catch (e) {
    if (seq === S.seq) showError(String(e));
  }
}

async function download(url, name) {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: body() });
  if (!r.ok) { const j = await r.json().catch(() => ({})); showError(j.error || r.statusText); return; }
  const blob = await r.blob();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

function showError(msg) {
  const e = $("error");
  e.hidden = !msg;
  e.textContent = msg || "";
}

function render() {
  document.documentElement.lang = S.lang === "zh" ? "zh-CN" : "en";
  $("lang").textContent = S.lang === "zh" ? "English" : "中文";
  $("title").textContent = W("title");
  document.title = W("title") + " · drgsim";
  $("scenario").textContent = S.info.scenario[S.lang] + " · " + S.info.scenario.file;
  $("dl-reform").textContent = W("downloadReform");
  $("dl-html").textContent = W("downloadReport");
  $("dl-xlsx").textContent = W("downloadWorkbook");
  $("levers-title").textContent = W("levers");
  $("reset-all").textContent = W("resetAll");
  $("k-months").textContent = W("months") + " (" + S.info.years[S.info.years.length - 1] + ")";
  $("k-balance").textContent = W("balance") + " (" + S.info.years[S.info.years.length - 1] + ")";
  $("k-depletion").textContent = W("depletion");
  $("k-probby").textContent = W("probBy");
  $("k-pw").textContent = W("pWarning");
  $("k-pd").textContent = W("pDanger");
  $("k-pz").textContent = W("pDepleted");
  $("cap-months").textContent = W("months");
  $("cap-balance").textContent = W("balance");
  $("h-hospitals").textContent = W("paymentByLevel");
  buildLevers();
  drawResults();
}

function leverLabel(l) {
  let s = S.lang === "zh" ? l.label_zh : l.label_en;
  if (l.level) s += " · " + W(l.level);
  if (l.table_year) s += " (" + l.table_year + (S.lang === "zh" ? "年，逐年表同比例调整" : "; the year table moves in proportion") + ")";
  if (S.info.baseline.funds.length > 1 && l.fund) s += " · " + W("fund." + l.fund);
  return s;
}

function buildLevers() {
  const root = $("groups");
  const open = new Set([...root.querySelectorAll("details[open]")].map((d) => d.dataset.group));
  root.innerHTML = "";
  for (const g of S.info.groups) {
    const ls = S.info.levers.filter((l) => l.group === g);
    if (!ls.length) continue;
    const d = document.createElement("details");
    d.dataset.group = g;
    if (open.size ? open.has(g) : ["financing", "rate_budget", "coefficients"].includes(g)) d.open = true;
    d.innerHTML = "<summary>" + esc(W("group." + g)) + "</summary>";
    for (const l of ls) d.appendChild(leverRow(l));
    root.appendChild(d);
  }
}

function leverRow(l) {
  const div = document.createElement("div");
  div.className = "lever";
  div.dataset.key = l.key;
  const unit = S.lang === "zh" ? l.unit_zh : l.unit_en;
  if (l.key === "scenario.policy_rules") {
    div.innerHTML = '<label><input type="checkbox" data-key="' + esc(l.key) + '"> ' + esc(leverLabel(l)) + "</label>";
    const cb = div.querySelector("input");
    cb.checked = S.values[l.key] === 1;
    cb.addEventListener("change", () => { S.values[l.key] = cb.checked ? 1 : 0; mark(div, l); schedule(0); });
    mark(div, l);
    return div;
  }
  const lo = Math.min(l.lo, S.values[l.key]);
  const hi = Math.max(l.hi, S.values[l.key]);
  div.innerHTML =
    "<label>" + esc(leverLabel(l)) + "</label>" +
    '<div class="row"><input type="range" data-key="' + esc(l.key) + '" min="' + lo + '" max="' + hi + '" step="' + l.step + '">' +
    '<input type="number" step="any" min="' + l.min + '" max="' + l.max + '">' +
    '<span class="unit">' + esc(unit) + '</span><button type="button" class="reset" title="' + esc(W("reset")) + '">↺</button></div>' +
    '<div class="was"></div>';
  const range = div.querySelector("input[type=range]");
  const box = div.querySelector("input[type=number]");
  range.value = S.values[l.key];
  box.value = S.values[l.key];
  range.addEventListener("input", () => { S.values[l.key] = +range.value; box.value = range.value; mark(div, l); schedule(120); });
  box.addEventListener("change", () => {
    const v = +box.value;
    if (box.value === "" || !Number.isFinite(v)) return;
    S.values[l.key] = v; range.value = v; mark(div, l); schedule(0);
  });
  div.querySelector(".reset").addEventListener("click", () => { S.values[l.key] = l.value; range.value = l.value; box.value = l.value; mark(div, l); schedule(0); });
  mark(div, l);
  return div;
}

function mark(div, l) {
  const moved = S.values[l.key] !== l.value;
  div.classList.toggle("moved", moved);
  const was = div.querySelector(".was");
  if (was) was.textContent = moved ? W("baseline") + ": " + l.value : "";
}

function drawResults() {
  const r = S.result, b = S.info.baseline;
  if (!r) return;
  const nav = $("funds");
  nav.innerHTML = "";
  if (r.funds.length > 1) {
    r.funds.forEach((f, i) => {
      const bt = document.createElement("button");
      bt.textContent = W("fund." + f.id);
      bt.className = i === S.fund ? "on" : "";
      bt.addEventListener("click", () => { S.fund = i; drawResults(); });
      nav.appendChild(bt);
    });
  }
  const f = r.funds[S.fund], fb = b.funds[S.fund];
  const last = r.years.length - 1;
  $("months-now").textContent = monthsText(f.months[last]);
  $("months-base").textContent = W("baseline") + " " + monthsText(fb.months[last]);
  $("balance-now").textContent = money(f.balance_wan[last]);
  $("balance-base").textContent = W("baseline") + " " + money(fb.balance_wan[last]);
  $("depletion-now").textContent = yearOr(f.depletion);
  $("depletion-base").textContent = W("baseline") + " " + yearOr(fb.depletion) + " · " + W("firstWarning") + " " + yearOr(f.first_warning);
  const t = r.years.indexOf(S.probYear);
  const fan = f.fan;
  $("p-warning").textContent = fan && t >= 0 ? pct(fan.p_warning[t]) : "–";
  $("p-danger").textContent = fan && t >= 0 ? pct(fan.p_danger[t]) : "–";
  $("p-depleted").textContent = fan && t >= 0 ? pct(fan.p_depleted[t]) : "–";
  $("chart-months").innerHTML = monthsChart(r, f, fb);
  $("chart-balance").innerHTML = balanceChart(r, f, fb);
  drawHospitals(r.hospitals);
  $("status").textContent = W("paths") + " " + num(r.paths, 0) + " · " + W("serverCompute") + " " + num(r.compute_ms, 1) + " ms" + (fan ? "" : " · " + W("noUncertainty"));
}

// ---- charts (inline SVG) ----
function scales(years, ys, w, h, m) {
  const finite = ys.filter(Number.isFinite);
  let lo = Math.min(0, ...finite), hi = Math.max(...finite, 1);
  const pad = (hi - lo) * 0.06;
  hi += pad; if (lo < 0) lo -= pad;
  const x = (i) => m.l + (i * (w - m.l - m.r)) / Math.max(1, years.length - 1);
  const y = (v) => m.t + ((hi - v) * (h - m.t - m.b)) / (hi - lo);
  return { x, y, lo, hi };
}

function ticks(lo, hi, n) {
  const raw = (hi - lo) / n, p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(+v.toFixed(10));
  return out;
}

function path(xs, ys, sc) {
  let d = "", pen = false;
  ys.forEach((v, i) => {
    if (!Number.isFinite(v)) { pen = false; return; }
    d += (pen ? "L" : "M") + sc.x(i).toFixed(1) + "," + sc.y(v).toFixed(1);
    pen = true;
  });
  return d;
}

function band(lo, hi, sc) {
  const n = lo.length;
  let d = "";
  for (let i = 0; i < n; i++) d += (i ? "L" : "M") + sc.x(i).toFixed(1) + "," + sc.y(hi[i]).toFixed(1);
  for (let i = n - 1; i >= 0; i--) d += "L" + sc.x(i).toFixed(1) + "," + sc.y(lo[i]).toFixed(1);
  return d + "Z";
}

function frame(years, sc, w, h, m, fmt) {
  let s = "";
  for (const v of ticks(sc.lo, sc.hi, 5)) {
    const yy = sc.y(v).toFixed(1);
    s += '<line x1="' + m.l + '" x2="' + (w - m.r) + '" y1="' + yy + '" y2="' + yy + '" stroke="#e5e9ee"/>';
    s += '<text x="' + (m.l - 6) + '" y="' + yy + '" dy="4" text-anchor="end" font-size="11" fill="#5f6b7a">' + fmt(v) + "</text>";
  }
  const every = Math.ceil(years.length / 10);
  years.forEach((yr, i) => {
    if (i % every) return;
    s += '<text x="' + sc.x(i).toFixed(1) + '" y="' + (h - m.b + 16) + '" text-anchor="middle" font-size="11" fill="#5f6b7a">' + yr + "</text>";
  });
  s += '<line x1="' + m.l + '" x2="' + (w - m.r) + '" y1="' + sc.y(0).toFixed(1) + '" y2="' + sc.y(0).toFixed(1) + '" stroke="#8a96a3"/>';
  return s;
}

// Legend entries left to right, wrapping to a new row at `right`.
function legend(items, x, y, right) {
  let s = "", dx = 0, dy = 0;
  for (const [label, style] of items) {
    const wd = 34 + label.length * (S.lang === "zh" ? 11 : 6.2);
    if (dx > 0 && x + dx + wd > right) { dx = 0; dy += 16; }
    s += '<g transform="translate(' + (x + dx) + "," + (y + dy) + ')">' + style + '<text x="26" y="4" font-size="11" fill="#1d2733">' + esc(label) + "</text></g>";
    dx += wd;
  }
  return s;
}

function monthsChart(r, f, fb) {
  const w = 900, h = 350, m = { l: 48, r: 12, t: 44, b: 28 };
  const th = S.info.thresholds;
  const now = clip0(f.months), base = clip0(fb.months);
  const fan = f.fan ? Object.fromEntries(["p05", "p25", "p50", "p75", "p95"].map((k) => [k, clip0(f.fan[k])])) : null;
  const all = now.concat(base, fan ? fan.p05.concat(fan.p95) : [], [th.warning * 1.3]);
  const sc = scales(r.years, all, w, h, m);
  let s = '<svg id="months-svg" viewBox="0 0 ' + w + " " + h + '" xmlns="http://www.w3.org/2000/svg" role="img">';
  const yw = sc.y(Math.min(th.warning, sc.hi)), yd = sc.y(Math.min(th.danger, sc.hi)), y0 = sc.y(Math.max(0, sc.lo));
  s += '<rect x="' + m.l + '" y="' + yw.toFixed(1) + '" width="' + (w - m.l - m.r) + '" height="' + (yd - yw).toFixed(1) + '" fill="#fff4d6"/>';
  s += '<rect x="' + m.l + '" y="' + yd.toFixed(1) + '" width="' + (w - m.l - m.r) + '" height="' + (y0 - yd).toFixed(1) + '" fill="#fbe3e2"/>';
  s += frame(r.years, sc, w, h, m, (v) => num(v, 0));
  if (fan) {
    s += '<path d="' + band(fan.p05, fan.p95, sc) + '" fill="#1f5fa8" fill-opacity="0.13"/>';
    s += '<path d="' + band(fan.p25, fan.p75, sc) + '" fill="#1f5fa8" fill-opacity="0.22"/>';
    s += '<path d="' + path(r.years, fan.p50, sc) + '" fill="none" stroke="#1f5fa8" stroke-width="1.2" stroke-dasharray="4 3"/>';
  }
  s += '<path id="baseline-line" d="' + path(r.years, base, sc) + '" fill="none" stroke="#8a96a3" stroke-width="2"/>';
  s += '<path id="months-line" d="' + path(r.years, now, sc) + '" fill="none" stroke="#c0392b" stroke-width="2.4"/>';
  // The depletion year of the current settings: a marked vertical line.
  const di = f.depletion === null || f.depletion === undefined ? -1 : r.years.indexOf(f.depletion);
  if (di >= 0) {
    const xd = sc.x(di).toFixed(1);
    s += '<line id="depletion-marker" x1="' + xd + '" x2="' + xd + '" y1="' + m.t + '" y2="' + (h - m.b) + '" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="5 3"/>';
    s += '<circle cx="' + xd + '" cy="' + sc.y(0).toFixed(1) + '" r="4.5" fill="#c0392b"/>';
    const anchor = di > r.years.length / 2 ? "end" : "start", dx = di > r.years.length / 2 ? -6 : 6;
    s += '<text x="' + (+xd + dx) + '" y="' + (m.t + 14) + '" text-anchor="' + anchor + '" font-size="12" font-weight="600" fill="#c0392b">' + esc(W("depleted") + " " + f.depletion) + "</text>";
  }
  const items = [
    [W("current"), '<line x1="0" x2="20" stroke="#c0392b" stroke-width="2.4"/>'],
    [W("baseline"), '<line x1="0" x2="20" stroke="#8a96a3" stroke-width="2"/>'],
  ];
  if (f.fan) {
    items.push([W("median"), '<line x1="0" x2="20" stroke="#1f5fa8" stroke-dasharray="4 3"/>']);
    items.push([W("fanInner"), '<rect x="0" y="-5" width="20" height="10" fill="#1f5fa8" fill-opacity="0.35"/>']);
    items.push([W("fanOuter"), '<rect x="0" y="-5" width="20" height="10" fill="#1f5fa8" fill-opacity="0.13"/>']);
  }
  items.push([W("warningBand").replace("{}", th.warning), '<rect x="0" y="-5" width="20" height="10" fill="#fff4d6" stroke="#f2c14e"/>']);
  items.push([W("dangerBand").replace("{}", th.danger), '<rect x="0" y="-5" width="20" height="10" fill="#fbe3e2" stroke="#d9534f"/>']);
  s += legend(items, m.l, 12, w - m.r);
  return s + "</svg>";
}

function balanceChart(r, f, fb) {
  const w = 900, h = 260, m = { l: 64, r: 12, t: 24, b: 28 };
  const toYi = (v) => v / (S.lang === "zh" ? 1e4 : 1e5);
  const now = f.balance_wan.map(toYi), base = fb.balance_wan.map(toYi);
  const sc = scales(r.years, now.concat(base), w, h, m);
  let s = '<svg id="balance-svg" viewBox="0 0 ' + w + " " + h + '" xmlns="http://www.w3.org/2000/svg" role="img">';
  s += frame(r.years, sc, w, h, m, (v) => num(v, 1));
  s += '<path d="' + path(r.years, base, sc) + '" fill="none" stroke="#8a96a3" stroke-width="2"/>';
  s += '<path d="' + path(r.years, now, sc) + '" fill="none" stroke="#c0392b" stroke-width="2.4"/>';
  s += legend([
    [W("current") + (S.lang === "zh" ? "（亿元）" : " (bn yuan)"), '<line x1="0" x2="20" stroke="#c0392b" stroke-width="2.4"/>'],
    [W("baseline"), '<line x1="0" x2="20" stroke="#8a96a3" stroke-width="2"/>'],
  ], m.l, 12, w - m.r);
  return s + "</svg>";
}

// ---- hospitals ----
function drawHospitals(h) {
  const box = $("hospitals");
  box.hidden = !h;
  if (!h) return;
  const sign = (x) => (x > 0 ? "up" : x < 0 ? "down" : "");
  let t = '<table class="t"><tr><th>' + esc(W("level")) + "</th><th>" + esc(W("hospital")) + "</th><th>" + esc(W("paymentChange")) + " (" + (S.lang === "zh" ? "万元" : "10k yuan") + ")</th><th>" +
    esc(W("settlementRatio")) + " " + esc(W("baseline")) + "</th><th>" + esc(W("settlementRatio")) + " " + esc(W("now")) + "</th><th>" + esc(W("fundSettlementRatio")) + " " + esc(W("baseline")) + "</th><th>" + esc(W("fundSettlementRatio")) + " " + esc(W("now")) + "</th></tr>";
  for (const l of h.levels) {
    const d = l.payment_wan - l.baseline_payment_wan;
    t += "<tr><td>" + esc(W(l.level)) + "</td><td>" + l.hospitals + '</td><td class="' + sign(d) + '">' + num(d, 0) + "</td><td>" + pct(l.baseline_settlement_ratio) + "</td><td>" + pct(l.settlement_ratio) + "</td><td>" + pct(l.baseline_fund_settlement_ratio) + "</td><td>" + pct(l.fund_settlement_ratio) + "</td></tr>";
  }
  $("levels").innerHTML = t + "</table>";
  const list = (title, rows) => {
    let s = "<h3>" + esc(title) + '</h3><table class="t"><tr><th>' + esc(W("hospital")) + "</th><th>" + esc(W("level")) + "</th><th>" + esc(W("change")) + "</th><th>" + esc(W("settlementRatio")) + "</th></tr>";
    for (const m of rows) s += "<tr><td>" + esc(m.name) + "</td><td>" + esc(W(m.level)) + '</td><td class="' + sign(m.change_wan) + '">' + num(m.change_wan, 1) + "</td><td>" + pct(m.settlement_ratio) + "</td></tr>";
    return s + "</table>";
  };
  $("winners").innerHTML = list(W("gains"), h.winners);
  $("losers").innerHTML = list(W("losses"), h.losers);
}

init().catch((e) => showError(String(e)));
