// The reporting dashboard: reads only the reporting API (/v1), with the reader's own token.
// Routes: #/ (national), #/province/<code>, #/district/<code>. A token given once as ?token=… is kept for
// the browser tab (sessionStorage) and removed from the address bar.
"use strict";

const CAMPAIGN = new URLSearchParams(location.search).get("campaign") || "fy2568";
const STATUS = { received: ["รอตรวจสอบ", "received"], validated: ["ผ่านการตรวจสอบ", "validated"],
  returned: ["ส่งกลับให้แก้ไข", "returned"], rejected: ["ไม่ผ่านคุณสมบัติ", "rejected"], scored: ["ให้คะแนนแล้ว", "scored"] };
const TIER = { outstanding: ["ที่มีความโดดเด่น", "outstanding"], efficient: ["ที่มีประสิทธิภาพ", "efficient"],
  not_selected: ["ไม่ผ่านเกณฑ์", "not selected"] };
// DLA's decision: "not selected" rather than "below the thresholds".
const TIER_FINAL = { ...TIER, not_selected: ["ไม่ได้รับการคัดเลือก", "not selected"] };
// Size groups are named by the campaign's rubric: each report brings the names of its groups
// (`size_group_names`), and the selection its own (`group_names`); a group nobody named shows its key.
const GROUP = {};
function learnGroups(report) {
  for (const [g, n] of Object.entries((report && report.size_group_names) || {})) GROUP[g] = [n.th, n.en];
  return report;
}
function group(g) { return GROUP[g] ? two(GROUP, g) : esc(g); }
const REGIONS = { 1: ["ภาคกลาง", "Central"], 2: ["ภาคตะวันออก", "East"], 3: ["อีสานตอนล่าง", "Lower Northeast"],
  4: ["อีสานตอนบน", "Upper Northeast"], 5: ["ภาคเหนือตอนบน", "Upper North"], 6: ["ภาคเหนือตอนล่าง", "Lower North"],
  7: ["ภาคตะวันตก", "West"], 8: ["ภาคใต้ตอนบน", "Upper South"], 9: ["ภาคใต้ตอนล่าง", "Lower South"] };

const state = { reader: null, campaign: null, provinces: [], selection: null };
const $ = (selector) => document.querySelector(selector);

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
    "'": "&#39;" })[c]);
}
function two(words, key) { const w = words[key]; return w ? `${w[0]} <span class="en">${w[1]}</span>` : "-"; }
// A tier as the table shows it: DLA's final decision marked as such (and who decided), else provisional.
function tierCell(row) {
  if (!row.tier) return "-";
  if (row.final) {
    return `${two(TIER_FINAL, row.tier)} <span class="badge final" title="${esc(row.decided_by || "")}">ผลสุดท้าย
      <span class="en">final</span></span>`;
  }
  return `${two(TIER, row.tier)} <span class="badge provisional">ชั่วคราว <span class="en">provisional</span></span>`;
}
function num(value, digits = 0) {
  return value === null || value === undefined ? "-" : Number(value).toLocaleString("en-US",
    { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// -- the API ------------------------------------------------------------------------------------------

function token() { return sessionStorage.getItem("reporting-token"); }

async function api(path, asBlob = false) {
  const headers = token() ? { Authorization: `Bearer ${token()}` } : {};
  const response = await fetch(`/v1${path}`, { headers });
  if (response.status === 401) { showLogin(); throw new Error("token required"); }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(`${response.status}: ${body.message_th || ""} ${body.message_en || response.statusText}`);
  }
  return asBlob ? response.blob() : response.json();
}

async function download(path, filename) {
  const blob = await api(path, true);
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url; link.download = filename; document.body.appendChild(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function showLogin(message) {
  $("#login").hidden = false;
  $("#view").innerHTML = "";
  $("#login-error").textContent = message || "";
}

// -- the countdown ------------------------------------------------------------------------------------

function remaining(ms) {
  if (ms <= 0) return null;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return { th: `${d} วัน ${h} ชั่วโมง ${m} นาที ${s % 60} วินาที`, en: `${d} d ${h} h ${m} min ${s % 60} s` };
}

function renderCountdown(figures) {
  // Called by a view with its figures, and every second without: then the last view's figures are used.
  if (figures !== undefined) state.lastFigures = figures; else figures = state.lastFigures;
  const campaign = state.campaign;
  if (!campaign) return;
  const deadlines = [["submission_deadline", "เทศบาลส่งข้อมูล", "municipalities submit"],
    ["district_deadline", "อำเภอรวบรวมส่งจังหวัด", "districts to province"],
    ["province_deadline", "จังหวัดส่งเอกสารถึง สถ.", "provinces to DLA"]];
  const now = Date.now();
  const expected = figures && figures.expected;
  const submitted = figures ? (expected ? figures.expected_submitted : figures.submissions) : null;
  const share = expected ? Math.min(100, Math.round((100 * submitted) / expected)) : null;
  $("#countdown").innerHTML = deadlines.map(([key, th, en]) => {
    const at = new Date(campaign[key]);
    const left = remaining(at - now);
    const when = at.toLocaleString("th-TH", { timeZone: "Asia/Bangkok", dateStyle: "long", timeStyle: "short" });
    return `<div class="deadline ${left ? "" : "closed"}" data-deadline="${key}">
      <div>${esc(th)} <span class="en">${esc(en)}</span> · ${esc(when)}</div>
      <div class="remaining">${left ? `เหลือ ${left.th}` : "ปิดแล้ว"} <span class="en">${left ? `${left.en} left` : "closed"}</span></div>
      ${key === "submission_deadline" && figures ? `<div class="expected">ส่งแล้ว <b id="progress-count">${num(submitted)}</b>
        ${expected ? `จาก <b>${num(expected)}</b> แห่งที่คาดว่าจะส่ง (${share}%)` : "แห่ง (ยังไม่มีทะเบียน อปท.)"}
        <span class="en">${expected ? `submitted of expected` : "submitted (no registry yet)"}</span></div>
        <div class="progress"><div style="width:${share ?? 0}%"></div></div>` : ""}
    </div>`;
  }).join("");
}

// -- building blocks ----------------------------------------------------------------------------------

function cards(f) {
  const c = f.counts || {};
  const items = [["submissions", "ส่งข้อมูลแล้ว", "submitted", f.submissions],
    ["expected", "เทศบาลในพื้นที่", "expected", f.expected], ["received", "รอตรวจสอบ", "received", c.received],
    ["validated", "ผ่านการตรวจสอบ", "validated", c.validated], ["returned", "ส่งกลับให้แก้ไข", "returned", c.returned],
    ["rejected", "ไม่ผ่านคุณสมบัติ", "rejected", c.rejected], ["scored", "ให้คะแนนแล้ว", "scored", c.scored],
    ["average", "คะแนนเฉลี่ย", "average score", f.average_score]];
  return `<div class="cards">${items.map(([key, th, en, value]) => `<div class="figure" data-figure="${key}">
    <div class="value">${key === "average" ? num(value, 2) : num(value)}</div>
    <div class="label">${th} <span class="en">${en}</span></div></div>`).join("")}</div>`;
}

function histogram(f) {
  const bins = f.score_histogram || [];
  const top = Math.max(1, ...bins);
  return `<div class="card"><h2>การกระจายของคะแนน <span class="en">Score distribution (% of maximum)</span></h2>
    <div class="bars" id="histogram">${bins.map((n, i) => `<div class="bar" title="${i * 10}–${i * 10 + 10}%: ${n}">
      <span>${n}</span><div style="height:${(100 * n) / top}%"></div><span>${i * 10}</span></div>`).join("")}</div></div>`;
}

function sizeGroups(f) {
  const rows = Object.entries(f.size_groups || {}).map(([g, e]) => `<tr><td>${group(g)}</td>
    <td class="num">${num(e.scored)}</td><td class="num">${num(e.average_score, 2)}</td>
    <td class="num">${num(e.tiers.outstanding)}</td><td class="num">${num(e.tiers.efficient)}</td></tr>`).join("");
  return `<table><thead><tr><th>กลุ่มขนาด <span class="en">size group</span></th><th class="num">ให้คะแนน</th>
    <th class="num">เฉลี่ย</th><th class="num">โดดเด่น</th><th class="num">มีประสิทธิภาพ</th></tr></thead>
    <tbody>${rows || `<tr><td colspan="5">ยังไม่มีคะแนน <span class="en">no scores yet</span></td></tr>`}</tbody></table>`;
}

function submissionsTable(items, id) {
  const rows = items.map((s) => `<tr data-submission="${esc(s.submission_id)}"><td>${esc(s.lao_name)}</td>
    <td>${esc(s.district_name || "-")}</td><td class="status-${s.status}">${two(STATUS, s.status)}</td>
    <td class="num">${num(s.score_total, 2)}</td><td data-final="${s.final ? "yes" : "no"}">${tierCell(s)}</td>
    <td>${s.size_group ? group(s.size_group) : "-"}</td></tr>`).join("");
  return `<table id="${id}"><thead><tr><th>เทศบาล <span class="en">municipality</span></th><th>อำเภอ</th>
    <th>สถานะ <span class="en">status</span></th><th class="num">คะแนน</th><th>ระดับ <span class="en">tier</span></th>
    <th>กลุ่มขนาด</th></tr></thead><tbody>${rows || `<tr><td colspan="6">ยังไม่มีการส่ง <span class="en">none yet</span></td></tr>`}</tbody></table>`;
}

// DLA's published selection: who decided and when, the announcement, and the selected by tier and size group
// (within the reader's area when `area` says which: a province or district code).
function selectionCard(area) {
  const sel = state.selection;
  if (!sel) return "";
  const when = new Date(sel.published_at).toLocaleString("th-TH", { timeZone: "Asia/Bangkok", dateStyle: "long",
    timeStyle: "short" });
  const inArea = (e) => !area || (e.lao && (e.lao.province_code === area || e.lao.district_code === area));
  const selected = sel.entries.filter((e) => e.tier !== "not_selected" && inArea(e));
  const blocks = ["outstanding", "efficient"].map((tier) => {
    const groups = [...new Set(selected.filter((e) => e.tier === tier).map((e) => e.size_group))];
    if (!groups.length) return "";
    return `<h3>${two(TIER_FINAL, tier)}</h3>${groups.map((g) => `<div class="selected-group" data-tier="${tier}"
      data-group="${esc(g)}"><b>${esc((sel.group_names || {})[g] || (GROUP[g] || [g])[0])}</b>
      <ol>${selected.filter((e) => e.tier === tier && e.size_group === g).map((e) => `<li data-submission="${esc(e.submission_id)}">
      ${esc(e.lao.name)} <span class="en">จ.${esc(e.lao.province_name || "")}</span></li>`).join("")}</ol></div>`).join("")}`;
  }).join("");
  return `<div class="card final-selection" id="final-selection"><h2>ผลการคัดเลือก (ประกาศแล้ว)
      <span class="en">Final selection, published</span></h2>
    <p id="decided-by">ประกาศครั้งที่ ${num(sel.selection_version)} เมื่อ ${esc(when)} โดย <b>${esc(sel.published_by)}</b>
      · ที่มีความโดดเด่น ${num(sel.selected.outstanding)} แห่ง · ที่มีประสิทธิภาพ ${num(sel.selected.efficient)} แห่ง
      <span class="en">published (no. ${num(sel.selection_version)}) by ${esc(sel.published_by)}</span></p>
    ${blocks || `<p>ไม่มี อปท. ในพื้นที่นี้ได้รับการคัดเลือก <span class="en">none selected in this area</span></p>`}
    <div class="actions"><button id="announcement" data-export="/campaigns/${CAMPAIGN}/selection/announcement.pdf"
      data-file="${CAMPAIGN}-announcement.pdf">ประกาศผลการคัดเลือก (PDF) <span class="en">the announcement</span></button></div></div>`;
}

function progressClass(row) {
  if (row && row.expected) {
    const share = row.expected_submitted / row.expected;
    return share >= 0.75 ? "p4" : share >= 0.5 ? "p3" : share >= 0.25 ? "p2" : share > 0 ? "p1" : "";
  }
  return row && row.submissions ? "some" : "";
}

function exportsBar(query, area) {
  const tables = [["submissions", "รายการ"], ["districts", "รายอำเภอ"], ["missing", "ยังไม่ส่ง"], ["size-groups", "กลุ่มขนาด"]];
  return `<div class="actions">${tables.map(([t, th]) => ["csv", "xlsx"].map((fmt) =>
    `<button data-export="/campaigns/${CAMPAIGN}/exports/${t}.${fmt}?${query}" data-file="${CAMPAIGN}-${t}-${area}.${fmt}">
      ${th} ${fmt.toUpperCase()}</button>`).join("")).join("")}</div>`;
}

function wireButtons() {
  document.querySelectorAll("[data-export]").forEach((b) => b.addEventListener("click",
    () => download(b.dataset.export, b.dataset.file).catch(showError)));
  document.querySelectorAll("[data-href]").forEach((el) => el.addEventListener("click", () => { location.hash = el.dataset.href; }));
}

function showError(error) {
  if (String(error.message) === "token required") return;
  $("#view").insertAdjacentHTML("afterbegin", `<div class="card error" role="alert">${esc(error.message)}</div>`);
}

function crumbs(parts) {
  $("#crumbs").innerHTML = parts.map(([label, href]) => href ? `<a href="${href}">${esc(label)}</a>` : `<span>${esc(label)}</span>`).join(" › ");
}

// -- views --------------------------------------------------------------------------------------------

async function nationalView() {
  const national = learnGroups(await api(`/campaigns/${CAMPAIGN}/national`));
  renderCountdown(national);
  crumbs([["ทั้งประเทศ / Whole country", null]]);
  const rows = Object.fromEntries(national.provinces.map((r) => [r.province_code, r]));
  const regions = {};
  for (const p of state.provinces) (regions[p.code[0]] ||= []).push(p);
  const map = Object.entries(regions).map(([key, list]) => `<div class="region"><h3>${REGIONS[key][0]}
    <span class="en">${REGIONS[key][1]}</span></h3><div class="tiles">${list.map((p) => {
      const r = rows[p.code];
      const label = r ? (r.expected ? `${r.expected_submitted}/${r.expected}` : `${r.submissions}`) : "-";
      return `<button class="tile ${progressClass(r)}" data-province="${p.code}" data-href="#/province/${p.code}"
        title="${esc(p.name_en)}"><span class="n">${esc(p.name_th)}</span>${label}</button>`;
    }).join("")}</div></div>`).join("");
  const groups = Object.keys(national.size_groups || {});
  const rankings = await Promise.all(groups.map((g) => api(`/campaigns/${CAMPAIGN}/rankings?size_group=${g}&limit=10`)));
  const table = national.provinces.filter((r) => r.province_code !== "unknown" || r.submissions).map((r) => `
    <tr class="link" data-href="#/province/${r.province_code}"><td>${esc(r.province_name_th)}
    <span class="en">${esc(r.province_name_en)}</span></td><td class="num">${num(r.expected)}</td>
    <td class="num">${num(r.submissions)}</td><td class="num">${num(r.counts.returned)}</td>
    <td class="num">${num(r.counts.scored)}</td><td class="num">${num(r.average_score, 2)}</td></tr>`).join("");
  $("#view").innerHTML = `
    ${selectionCard(null)}
    <div class="card"><h2>ภาพรวมทั้งประเทศ <span class="en">National view</span></h2>${cards(national)}</div>
    <div class="card"><h2>ความคืบหน้ารายจังหวัด <span class="en">Progress by province (77)</span></h2>
      <div class="grid-map" id="province-map">${map}</div>
      <div class="legend"><span><i style="background:var(--p0)"></i>ยังไม่มีการส่ง / none</span>
        <span><i style="background:var(--p1)"></i>&lt;25%</span><span><i style="background:var(--p2)"></i>25–50%</span>
        <span><i style="background:var(--p3)"></i>50–75%</span><span><i style="background:var(--p4)"></i>≥75%</span>
        <span><i style="background:var(--some)"></i>มีการส่ง (ไม่มีทะเบียน) / submitted, no registry</span></div></div>
    <div class="two">
      <div class="card"><h2>รายจังหวัด <span class="en">Provinces</span></h2><table id="national-table"><thead><tr>
        <th>จังหวัด</th><th class="num">คาดว่าจะส่ง</th><th class="num">ส่งแล้ว</th><th class="num">ส่งกลับ</th>
        <th class="num">ให้คะแนน</th><th class="num">เฉลี่ย</th></tr></thead><tbody>${table}</tbody></table>
        <div class="actions" style="margin-top:8px"><button data-export="/campaigns/${CAMPAIGN}/exports/provinces.xlsx"
          data-file="${CAMPAIGN}-provinces.xlsx">XLSX</button><button data-export="/campaigns/${CAMPAIGN}/exports/provinces.csv"
          data-file="${CAMPAIGN}-provinces.csv">CSV</button></div></div>
      <div class="card"><h2>ลำดับคะแนนตามกลุ่มขนาด <span class="en">Rankings by size group</span></h2>
        ${sizeGroups(national)}
        ${rankings.map((page) => `<h3>${group(page.size_group)}</h3><table class="ranking" data-group="${page.size_group}">
          <tbody>${page.items.map((i) => `<tr><td class="num">${i.rank}</td><td>${esc(i.lao_name)}</td>
          <td>${esc(i.province_name || "")}</td><td class="num">${num(i.score_total, 2)}</td><td data-final="${i.final ? "yes" : "no"}">${tierCell(i)}</td></tr>`).join("")}
          </tbody></table>`).join("")}</div>
    </div>
    ${histogram(national)}`;
  wireButtons();
}

async function provinceView(code) {
  const p = learnGroups(await api(`/campaigns/${CAMPAIGN}/provinces/${code}?limit=500`));
  renderCountdown(p);
  crumbs([...(state.reader.level === "national" ? [["ทั้งประเทศ", "#/"]] : []), [`จังหวัด${p.province_name_th}`, null]]);
  const districts = p.districts.map((d) => `<tr class="link" data-district="${d.district_code}" data-href="#/district/${d.district_code}">
    <td>${esc(d.district_name_th)} <span class="en">${esc(d.district_name_en)}</span></td>
    <td class="num">${num(d.expected)}</td><td class="num">${num(d.submissions)}</td>
    <td class="num">${num(d.counts.returned)}</td><td class="num">${num(d.counts.scored)}</td>
    <td class="num">${d.expected ? num(d.expected - d.expected_submitted) : "-"}</td></tr>`).join("");
  $("#view").innerHTML = `
    <div class="card"><h2>จังหวัด${esc(p.province_name_th)} <span class="en">${esc(p.province_name_en)} province</span></h2>
      ${cards(p)}
      <div class="actions" style="margin-top:10px"><button id="package" data-export="/campaigns/${CAMPAIGN}/provinces/${code}/package.pdf"
        data-file="${CAMPAIGN}-province-${code}.pdf">ชุดเอกสารส่ง สถ. (PDF) <span class="en">package for DLA</span></button></div>
      <div style="margin-top:8px">${exportsBar(`province=${code}`, code)}</div></div>
    ${selectionCard(code)}
    <div class="two">
      <div class="card"><h2>รายอำเภอ <span class="en">Districts</span></h2><table id="district-table"><thead><tr>
        <th>อำเภอ</th><th class="num">คาดว่าจะส่ง</th><th class="num">ส่งแล้ว</th><th class="num">ส่งกลับ</th>
        <th class="num">ให้คะแนน</th><th class="num">ยังไม่ส่ง</th></tr></thead><tbody>${districts}</tbody></table></div>
      <div class="card"><h2>กลุ่มขนาด <span class="en">Size groups</span></h2>${sizeGroups(p)}</div>
    </div>
    <div class="card"><h2>เทศบาลที่ส่งข้อมูล <span class="en">Submissions (${p.items_total})</span></h2>
      ${submissionsTable(p.items, "submission-table")}</div>
    ${histogram(p)}`;
  wireButtons();
}

async function districtView(code) {
  const d = learnGroups(await api(`/campaigns/${CAMPAIGN}/districts/${code}?limit=500`));
  renderCountdown(d);
  crumbs([...(state.reader.level === "national" ? [["ทั้งประเทศ", "#/"]] : []),
    ...(state.reader.level !== "district" ? [[`จังหวัด${d.province_name_th}`, `#/province/${d.province_code}`]] : []),
    [`อำเภอ${d.district_name_th}`, null]]);
  const missing = d.missing.map((m) => `<li>${esc(m.name)} <span class="en">${esc(m.code)}</span></li>`).join("");
  $("#view").innerHTML = `
    <div class="card"><h2>อำเภอ${esc(d.district_name_th)} จังหวัด${esc(d.province_name_th)}
      <span class="en">${esc(d.district_name_en)}, ${esc(d.province_name_en)}</span></h2>${cards(d)}
      <div class="actions" style="margin-top:10px"><button id="package" data-export="/campaigns/${CAMPAIGN}/districts/${code}/package.pdf"
        data-file="${CAMPAIGN}-district-${code}.pdf">ชุดเอกสารส่งจังหวัด (PDF) <span class="en">package for the province</span></button></div>
      <div style="margin-top:8px">${exportsBar(`district=${code}`, code)}</div></div>
    ${selectionCard(code)}
    <div class="two">
      <div class="card"><h2>เทศบาลที่ส่งข้อมูล <span class="en">Submissions (${d.items_total})</span></h2>
        ${submissionsTable(d.items, "submission-table")}</div>
      <div class="card"><h2>ยังไม่ส่งข้อมูล <span class="en">Not submitted yet</span></h2>
        <ul id="missing">${missing || (d.expected === null ? "<li>ยังไม่มีทะเบียน อปท. <span class='en'>no registry loaded</span></li>" : "<li>ส่งครบแล้ว <span class='en'>all submitted</span></li>")}</ul></div>
    </div>
    ${histogram(d)}`;
  wireButtons();
}

// -- start --------------------------------------------------------------------------------------------

async function route() {
  $("#login").hidden = true;
  const [, kind, code] = (location.hash.replace(/^#/, "") || "/").split("/");
  const reader = state.reader;
  try {
    if (kind === "province") await provinceView(code);
    else if (kind === "district") await districtView(code);
    else if (reader.level === "national") await nationalView();
    else location.hash = `#/${reader.level}/${reader.code}`;
  } catch (error) { showError(error); }
  document.body.dataset.ready = location.hash || "#/";
}

async function start() {
  const query = new URLSearchParams(location.search);
  if (query.get("token")) {
    sessionStorage.setItem("reporting-token", query.get("token"));
    query.delete("token");
    history.replaceState(null, "", `${location.pathname}${query.size ? `?${query}` : ""}${location.hash}`);
  }
  try {
    state.reader = await api("/whoami");
  } catch (error) { return; }
  $("#reader").textContent = `สิทธิ์: ${state.reader.name_th || "ทั้งประเทศ"} (${state.reader.scope})`;
  [state.campaign, state.provinces] = await Promise.all([api(`/campaigns/${CAMPAIGN}`), api("/provinces")]);
  // DLA's final selection, once published (the campaign says so; before, there is nothing to ask for).
  if (state.campaign.selection) state.selection = await api(`/campaigns/${CAMPAIGN}/selection`);
  window.addEventListener("hashchange", route);
  setInterval(() => renderCountdown(), 1000);
  await route();
}

$("#login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("reporting-token", $("#token-input").value.trim());
  start().catch(showError);
});
start().catch(showError);
