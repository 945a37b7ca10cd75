// /verify: scan with the camera (BarcodeDetector where the browser has it, else the
// bundled jsQR), upload a photo (the node decodes it), or paste the text → a large
// verdict in words and an icon, the disclosed claims, province, agency, how the type is
// recognised here, every check, and the holder's name with a masked ID number.
"use strict";
const $ = id => document.getElementById(id);
let last = null, stream = null, scanning = false;

function fail(msg) { const e = $("error"); e.textContent = t("bad_input") + msg; e.classList.remove("hidden"); $("result").classList.add("hidden"); }

async function verifyBody(body, type) {
  $("error").classList.add("hidden");
  let r;
  try { r = await fetch("/v1/verify", { method: "POST", headers: { "Content-Type": type }, body }); }
  catch (e) { return fail(String(e)); }
  const v = await dsJson(r);
  if (!r.ok) return fail((v.detail || v.title || "HTTP " + r.status));
  last = v; render();
}

function verifyText(text) {
  text = (text || "").trim();
  if (!text) return fail("—");
  $("text").value = text;
  return verifyBody(JSON.stringify({ artifact: text }), "application/json");
}

function mask(code) {
  if (!code) return "";
  return code.length > 8 ? code.slice(0, 4) + "*".repeat(code.length - 8) + code.slice(-4) : "*".repeat(code.length);
}

function render() {
  const v = last; if (!v) return;
  const en = dsLang() === "en";
  const ind = (v.report && v.report.indication) || v.indication || "INDETERMINATE";
  const cls = ind === "TOTAL_PASSED" ? "passed" : ind === "TOTAL_FAILED" ? "failed" : "indeterminate";
  $("verdict").className = "verdict " + cls;
  $("verdict").dataset.indication = ind;
  $("verdict-icon").textContent = cls === "passed" ? "✔" : cls === "failed" ? "✖" : "？";
  $("verdict-words").textContent = t(cls);
  const sub = (v.report && v.report.sub_indication) || v.sub_indication;
  const decisive = ((v.report && v.report.checks) || []).find(c => c.outcome === "FAILED") || ((v.report && v.report.checks) || []).find(c => c.outcome === "INDETERMINATE");
  $("verdict-sub").textContent = [sub, decisive ? (en ? decisive.reason.en : decisive.reason.zh) : ""].filter(Boolean).join(" · ");
  const show = v.show || {};
  const claims = v.claims || {};
  $("holder-name").textContent = show.holder_name || claims.holder || claims.name || "—";
  $("holder-id").textContent = show.holder_code_masked || mask(claims.holder_code || claims.id_number) || "—";
  $("province").textContent = v.province ? (en ? v.province.name_en : v.province.name_zh) + " (" + v.province.code + ")" : "—";
  $("agency").textContent = v.agency ? (en ? v.agency.name_en : v.agency.name_zh) + (v.agency.uscc ? " · " + v.agency.uscc : "") : "—";
  const lt = v.license_type;
  $("recognition").textContent = lt ? (en ? lt.name_en : lt.name_zh) + " · " + lt.code + (lt.local_code ? " ← " + lt.local_province + " " + lt.local_code : "") : "—";
  const ct = $("claims"); ct.textContent = "";
  for (const [k, val] of Object.entries(claims)) ct.append(el("tr", { "data-claim": k }, el("th", {}, k), el("td", {}, typeof val === "string" ? val : JSON.stringify(val))));
  const cl = $("checks"); cl.textContent = "";
  for (const c of ((v.report && v.report.checks) || [])) cl.append(el("li", { class: c.outcome, "data-code": c.code }, c.code + " — " + (en ? c.reason.en : c.reason.zh)));
  $("result").classList.remove("hidden");
}

// The scan: BarcodeDetector where the browser has it for QR codes, switching to the
// bundled jsQR when it has found nothing for FALLBACK_MS (some builds expose the API
// without a working back end); given up after GIVE_UP_MS with a message.
const FALLBACK_MS = 3000, GIVE_UP_MS = 20000, FRAME_MS = 150;

function scanState(key, extra) { $("scan-state").textContent = t(key) + (extra ? " " + extra : ""); }

async function qrDetector() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    if ((await BarcodeDetector.getSupportedFormats()).includes("qr_code")) return new BarcodeDetector({ formats: ["qr_code"] });
  } catch (_) { /* not usable */ }
  return null;
}

async function scan() {
  if (scanning) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return fail(t("no_camera") + "getUserMedia");
  $("camera").classList.remove("hidden");
  scanState("scan.starting");
  try { stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }); }
  catch (e) { $("camera").classList.add("hidden"); return fail(t("no_camera") + e.name); }
  const video = $("video"); video.srcObject = stream;
  try { await video.play(); } catch (e) { stopScan(); return fail(t("no_camera") + e.name); }
  $("stop").classList.remove("hidden");
  let detector = await qrDetector();
  const useDecoder = name => { $("decoder").textContent = name; scanState("scan.looking", name); };
  useDecoder(detector ? "BarcodeDetector" : "jsQR");
  const canvas = document.createElement("canvas"), ctx = canvas.getContext("2d", { willReadFrequently: true });
  const started = performance.now();
  scanning = true;
  const step = async () => {
    if (!scanning) return;
    const elapsed = performance.now() - started;
    if (elapsed > GIVE_UP_MS) { stopScan(); scanState("scan.gave_up"); return fail(t("scan.gave_up")); }
    if (detector && elapsed > FALLBACK_MS) { detector = null; useDecoder("jsQR"); }
    if (video.readyState >= 2 && video.videoWidth) {
      let text = null;
      if (detector) {
        try { const codes = await detector.detect(video); if (codes.length) text = codes[0].rawValue; } catch (_) { detector = null; useDecoder("jsQR"); }
      } else if (window.jsQR) {
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        ctx.drawImage(video, 0, 0);
        const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const code = jsQR(img.data, img.width, img.height, { inversionAttempts: "attemptBoth" });
        if (code && code.data) text = code.data;
      }
      if (text) { stopScan(); scanState("scan.found"); return verifyText(text); }
    }
    setTimeout(step, FRAME_MS);
  };
  step();
}
function stopScan() {
  scanning = false;
  if (stream) stream.getTracks().forEach(tr => tr.stop());
  stream = null; $("stop").classList.add("hidden"); $("camera").classList.add("hidden");
}

document.addEventListener("DOMContentLoaded", () => {
  window.dsRerender = render;
  $("verify").addEventListener("click", () => verifyText($("text").value));
  $("scan").addEventListener("click", scan);
  $("stop").addEventListener("click", stopScan);
  $("photo").addEventListener("change", async e => {
    const f = e.target.files && e.target.files[0]; if (!f) return;
    if (f.size > 8 * 1024 * 1024) return fail("> 8 MiB");
    const type = f.type === "image/jpeg" || f.type === "image/png" ? f.type : "application/octet-stream";
    verifyBody(await f.arrayBuffer(), type);
  });
});
