// /holder: sign in (demo), the holder's licenses from every province as cards, choose
// fields, show the QR code with a countdown that renews it before it expires; grant an
// agency consent to fetch a license (chosen fields, a matter, an end date), list and
// revoke consents, and read every access made under them.
"use strict";
const S = { token: sessionStorage.getItem("ds-id-token"), data: null, license: null, timer: null, renewAt: 0, expiresAt: 0, ttl: 120 };
const $ = id => document.getElementById(id);
function showOnly(id) { for (const s of ["signin", "list", "choose", "qr", "consent"]) $(s).classList.toggle("hidden", s !== id); }
function auth() { return { "Authorization": "Bearer " + S.token }; }

async function start() {
  $("signout").addEventListener("click", () => { sessionStorage.removeItem("ds-id-token"); S.token = null; stopTimer(); start(); });
  $("back").addEventListener("click", () => showOnly("list"));
  $("qr-back").addEventListener("click", () => { stopTimer(); showOnly("list"); });
  $("show").addEventListener("click", () => makeQr(true));
  $("consent-back").addEventListener("click", () => showOnly("list"));
  $("grant").addEventListener("click", grant);
  window.dsRerender = render;
  if (!S.token) return signInForm();
  $("signout").classList.remove("hidden");
  await loadLicenses();
}

async function signInForm() {
  $("signout").classList.add("hidden");
  showOnly("signin");
  const box = $("demo-holders");
  box.textContent = "";
  const r = await fetch("/demo-idp/holders");
  if (!r.ok) { $("signin-error").textContent = "HTTP " + r.status; $("signin-error").classList.remove("hidden"); return; }
  for (const h of (await r.json()).holders) {
    box.append(el("button", { class: "card holder-choice", "data-holder": h.holder,
      onclick: () => signIn(h.holder) }, dsLang() === "en" ? h.name_en : h.name, " ", el("span", { class: "meta" }, h.holder_code_type === "001" ? "(USCC)" : "")));
  }
}

async function signIn(holder) {
  const r = await fetch("/demo-idp/sign-in", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ holder }) });
  const v = await dsJson(r);
  if (!r.ok) { $("signin-error").textContent = v.detail || ("HTTP " + r.status); $("signin-error").classList.remove("hidden"); return; }
  S.token = v.id_token; sessionStorage.setItem("ds-id-token", S.token);
  start();
}

async function loadLicenses() {
  showOnly("list");
  const r = await fetch("/v1/holder/licenses", { headers: auth() });
  const v = await dsJson(r);
  if (r.status === 401) { sessionStorage.removeItem("ds-id-token"); S.token = null; return signInForm(); }
  if (!r.ok) { $("cards").textContent = v.detail || ("HTTP " + r.status); return; }
  S.data = v;
  render();
  await loadConsents();
}

async function loadConsents() {
  const [c, a] = await Promise.all([fetch("/v1/holder/consents", { headers: auth() }), fetch("/v1/holder/accesses", { headers: auth() })]);
  S.consents = c.ok ? (await c.json()).consents : [];
  S.accesses = a.ok ? (await a.json()).accesses : [];
  renderConsents();
}

function when(unix) { return new Date(unix * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC"; }

function renderConsents() {
  const box = $("consents"); box.textContent = "";
  if (!(S.consents || []).length) box.append(el("p", { class: "meta" }, t("consents.none")));
  for (const c of S.consents || []) {
    box.append(el("div", { class: "card consent " + (c.active ? "active" : "inactive"), "data-consent": c.id },
      el("p", {}, el("b", {}, c.agency_name), " ", el("span", { class: "meta" }, c.agency_province + " · " + c.agency_uscc)),
      el("p", { class: "meta" }, t("consent.purpose") + ": " + c.purpose + " · " + (c.license ? c.license : c.type_code)),
      el("p", { class: "meta" }, t("consent.fields") + " " + c.claims.join(", ")),
      el("p", { class: "meta" }, t("consent.until") + " " + when(c.until) + " · " + (c.revoked_at ? t("consent.revoked") + " " + when(c.revoked_at) : c.active ? t("consent.active") : t("consent.expired"))),
      el("p", { class: "meta" }, "ID " + c.id),
      c.active ? el("button", { class: "revoke", onclick: () => revoke(c.id) }, t("consent.revoke")) : null));
  }
  const log = $("accesses"); log.textContent = "";
  if (!(S.accesses || []).length) log.append(el("p", { class: "meta" }, t("accesses.none")));
  for (const a of S.accesses || []) {
    log.append(el("div", { class: "card access", "data-consent": a.consent_id, "data-province": a.province },
      el("p", {}, el("b", {}, a.agency_name), " ", el("span", { class: "meta" }, a.province + " · " + when(a.at))),
      el("p", { class: "meta" }, t("accesses.what") + ": " + a.type_code + " · " + a.claims.join(", ") + " · " + a.licenses.length + " " + t("accesses.licenses"))));
  }
}

async function revoke(id) {
  await fetch("/v1/holder/consents/" + encodeURIComponent(id) + "/revoke", { method: "POST", headers: auth() });
  await loadConsents();
}

async function agencies() {
  if (S.agencies) return S.agencies;
  const r = await fetch("/v1/trust-list");
  if (!r.ok) return [];
  // the list's payload, to name its agencies (the node checks the agency again)
  const part = (await r.text()).trim().split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(part + "=".repeat((4 - part.length % 4) % 4)), ch => ch.charCodeAt(0));
  const list = JSON.parse(new TextDecoder().decode(bytes));
  S.agencies = list.provinces.flatMap(p => p.issuing_agencies.map(a => ({ province: p.code, uscc: a.uscc, name_zh: a.name_zh, name_en: a.name_en })));
  return S.agencies;
}

async function consentTo(l) {
  S.license = l;
  const en = dsLang() === "en";
  $("consent-license").textContent = l.type_name + " · " + l.province_name_zh + " · " + l.license_number;
  const sel = $("consent-agency"); sel.textContent = "";
  for (const a of await agencies()) sel.append(el("option", { value: a.uscc }, a.province + " · " + (en ? a.name_en : a.name_zh)));
  const f = $("consent-fields"); f.textContent = "";
  for (const name of Object.keys(l.claims)) {
    f.append(el("label", { class: "field" }, el("input", { type: "checkbox", name: "consent-claim", value: name }), el("b", {}, name)));
  }
  const until = new Date(Date.now() + 30 * 86400 * 1000);
  $("consent-until").value = until.toISOString().slice(0, 10);
  $("consent-error").classList.add("hidden");
  showOnly("consent");
}

async function grant() {
  const claims = [...document.querySelectorAll("input[name=consent-claim]:checked")].map(i => i.value);
  const scope = document.querySelector("input[name=scope]:checked").value;
  const body = { agency: $("consent-agency").value, purpose: $("consent-purpose").value, claims,
    until: $("consent-until").value + "T23:59:59+08:00" };
  if (scope === "license") body.license = S.license.identifier; else body.type_code = S.license.type_code;
  const r = await fetch("/v1/holder/consents", { method: "POST", headers: Object.assign({ "Content-Type": "application/json" }, auth()), body: JSON.stringify(body) });
  const v = await dsJson(r);
  if (!r.ok) { const e = $("consent-error"); e.textContent = v.detail || ("HTTP " + r.status); e.classList.remove("hidden"); return; }
  showOnly("list");
  await loadConsents();
}

function render() {
  if (!S.data) return;
  const en = dsLang() === "en";
  renderConsents();
  $("who").textContent = S.data.holder.name;
  const pl = $("provinces"); pl.textContent = "";
  for (const p of S.data.provinces) {
    pl.append(el("li", { class: p.outcome, "data-province": p.province }, p.province + " · " + t("prov." + p.outcome) + " · " + p.count,
      p.detail ? el("span", { class: "meta" }, " — " + p.detail) : null));
  }
  const cards = $("cards"); cards.textContent = "";
  if (!S.data.licenses.length) cards.append(el("p", {}, t("licenses.none")));
  for (const l of S.data.licenses) {
    cards.append(el("div", { class: "card license", "data-identifier": l.identifier, "data-province": l.province },
      el("h3", {}, en && l.type_name_en ? l.type_name_en : l.type_name),
      el("p", { class: "meta" }, (en ? l.province_name_en : l.province_name_zh) + " · " + t("issuer") + ": " + (en && l.issuer_name_en ? l.issuer_name_en : l.issuer_name)),
      el("p", { class: "meta" }, t("valid_from") + " " + l.valid_from + " " + t("valid_to") + " " + (l.valid_to || t("no_expiry"))),
      el("p", {}, el("span", { class: "tag " + l.status }, t("status." + l.status)), " ",
        el("button", { class: "choose", onclick: () => choose(l) }, t("show")), " ",
        el("button", { class: "consent-to", onclick: () => consentTo(l) }, t("consent.button")))));
  }
}

function choose(l) {
  S.license = l;
  $("chosen-license").textContent = l.type_name + " · " + l.province_name_zh + " · " + l.license_number;
  const f = $("fields"); f.textContent = "";
  for (const name of Object.keys(l.claims)) {
    const value = typeof l.claims[name] === "string" ? l.claims[name] : JSON.stringify(l.claims[name]);
    f.append(el("label", { class: "field" }, el("input", { type: "checkbox", name: "claim", value: name }), el("b", {}, name), " ", el("span", { class: "meta" }, value)));
  }
  $("show-error").classList.add("hidden");
  showOnly("choose");
}

async function makeQr(first) {
  const disclose = [...document.querySelectorAll("input[name=claim]:checked")].map(i => i.value);
  const mode = document.querySelector("input[name=mode]:checked").value;
  const r = await fetch("/v1/show", { method: "POST", headers: Object.assign({ "Content-Type": "application/json" }, auth()),
    body: JSON.stringify({ license: S.license.identifier, disclose, ttl_s: S.ttl, mode }) });
  const v = await dsJson(r);
  if (!r.ok) {
    const e = $("show-error"); e.textContent = v.detail || v.title || ("HTTP " + r.status); e.classList.remove("hidden");
    if (!first) showOnly("choose");
    return;
  }
  const img = el("img", { id: "qr-png", alt: "QR", src: "data:image/png;base64," + v.png });
  $("qr-image").replaceChildren(img);
  $("qr-text").value = v.text;
  // the countdown runs on this device's clock from the token's lifetime (the node's
  // clock may differ from the phone's); expires_at is the node's statement of it
  $("qr-image").dataset.expiresAt = v.expires_at;
  S.expiresAt = Date.now() + S.ttl * 1000;
  // renew when four fifths of the lifetime have passed, so a fresh code is up before expiry
  const life = S.ttl * 1000;
  S.renewAt = Date.now() + life * 0.8;
  showOnly("qr");
  startTimer();
}

function startTimer() {
  stopTimer();
  const tick = () => {
    const left = Math.max(0, Math.round((S.expiresAt - Date.now()) / 1000));
    $("countdown").textContent = left;
    if (Date.now() >= S.renewAt) { stopTimer(); makeQr(false); }
  };
  tick();
  S.timer = setInterval(tick, 1000);
}
function stopTimer() { if (S.timer) clearInterval(S.timer); S.timer = null; }

document.addEventListener("DOMContentLoaded", start);
