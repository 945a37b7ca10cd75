// Drives the system Chromium (headless, phone-sized) through the holder and verify
// pages of the nodes the calling test started, and prints what it saw as one JSON line
// per step; the test (tests/it/holder/browser.rs) asserts on it. Screenshots go to
// the directory given. Usage: node flow.mjs '<json config>'
import { chromium } from "playwright-core";
import { createInterface } from "node:readline";
import { writeFileSync } from "node:fs";

// The calling test moves the nodes' clock: ask it and wait for its "ok".
const input = createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();
async function advance(seconds) {
  console.log(JSON.stringify({ step: "advance", seconds }));
  const { value } = await lines.next();
  if (value !== "ok") throw new Error("the test did not move the clock: " + value);
}

// The calling test fetches as an agency (a consent's use) and answers "ok".
async function agencyFetch(consent) {
  console.log(JSON.stringify({ step: "agency-fetch", consent }));
  const { value } = await lines.next();
  if (value !== "ok") throw new Error("the test did not fetch: " + value);
}

const cfg = JSON.parse(process.argv[2]);
const out = (step, data) => console.log(JSON.stringify({ step, ...data }));
const browser = await chromium.launch({
  executablePath: cfg.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-dev-shm-usage"].concat(cfg.chromiumArgs || []),
});
try {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: "zh-CN" });
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", e => errors.push(String(e)));
  page.on("console", m => { if (m.type() === "error") errors.push(m.text()); });

  // sign in on the SH node as the demo holder, see the cards of every province
  await page.goto(cfg.sh + "/holder");
  await page.click(`[data-holder="${cfg.holder}"]`);
  await page.waitForSelector(".license", { timeout: 20000 });
  const cards = await page.$$eval(".license", ls => ls.map(l => ({ id: l.dataset.identifier, province: l.dataset.province, text: l.innerText })));
  const provinces = await page.$$eval("#provinces li", ls => ls.map(l => ({ province: l.dataset.province, outcome: l.className })));
  const heading = await page.textContent("h1");
  await page.screenshot({ path: cfg.shots + "/holder-cards.png", fullPage: true });
  out("cards", { cards, provinces, heading });

  // the English switch
  await page.click("#lang");
  const headingEn = await page.textContent("h1");
  const cardsEn = await page.$$eval(".license h3", hs => hs.map(h => h.textContent));
  await page.screenshot({ path: cfg.shots + "/holder-cards-en.png", fullPage: true });
  await page.click("#lang");
  out("english", { heading: headingEn, cards: cardsEn });

  // consent: let an agency of another province fetch that license with chosen fields;
  // the agency fetches; the access shows; revoked, the next fetch is refused
  if (cfg.consent) {
    await page.click(`.license[data-province="${cfg.showProvince}"] button.consent-to`);
    await page.waitForSelector(`#consent-agency option[value="${cfg.consent.agency}"]`, { state: "attached", timeout: 20000 });
    await page.selectOption("#consent-agency", cfg.consent.agency);
    await page.fill("#consent-purpose", cfg.consent.purpose);
    for (const f of cfg.consent.fields) await page.check(`input[name=consent-claim][value="${f}"]`);
    await page.screenshot({ path: cfg.shots + "/holder-consent.png", fullPage: true });
    await page.click("#grant");
    await page.waitForSelector(".consent.active", { timeout: 20000 });
    const id = await page.getAttribute(".consent.active", "data-consent");
    out("consented", { id, text: await page.textContent(".consent.active") });
    await agencyFetch(id);
    await page.reload();
    await page.waitForSelector(".access", { timeout: 20000 });
    const accesses = await page.$$eval(".access", as => as.map(a => ({ consent: a.dataset.consent, province: a.dataset.province, text: a.innerText })));
    await page.screenshot({ path: cfg.shots + "/holder-accesses.png", fullPage: true });
    out("accesses", { accesses });
    await page.click(`.consent[data-consent="${id}"] button.revoke`);
    await page.waitForSelector(`.consent.inactive[data-consent="${id}"]`, { timeout: 20000 });
    out("revoked", { id, text: await page.textContent(`.consent[data-consent="${id}"]`) });
    await agencyFetch(id);
  }

  // choose a license issued in another province and two of its fields
  await page.click(`.license[data-province="${cfg.showProvince}"] button.choose`);
  for (const f of cfg.fields) await page.check(`input[name=claim][value="${f}"]`);
  await page.screenshot({ path: cfg.shots + "/holder-choose.png", fullPage: true });
  const fields = await page.$$eval("input[name=claim]", is => is.map(i => i.value));
  out("choose", { fields });

  // verify on the ZJ node: a presentation pasted, garbage pasted
  const v = await ctx.newPage();
  v.on("pageerror", e => errors.push(String(e)));
  await v.goto(cfg.zj + "/verify");
  const verdict = async (vp, name) => {
    await vp.waitForFunction(() => !document.getElementById("result").classList.contains("hidden") || !document.getElementById("error").classList.contains("hidden"), null, { timeout: 30000 });
    const res = await vp.evaluate(() => ({
      indication: document.getElementById("verdict").dataset.indication || null,
      shown: !document.getElementById("result").classList.contains("hidden"),
      words: document.getElementById("verdict-words").textContent,
      icon: document.getElementById("verdict-icon").textContent,
      claims: [...document.querySelectorAll("#claims tr")].map(r => r.dataset.claim),
      province: document.getElementById("province").textContent,
      agency: document.getElementById("agency").textContent,
      recognition: document.getElementById("recognition").textContent,
      holderId: document.getElementById("holder-id").textContent,
      checks: document.querySelectorAll("#checks li").length,
      failed: [...document.querySelectorAll("#checks li.FAILED")].map(l => l.dataset.code),
      holderName: document.getElementById("holder-name").textContent,
      sub: document.getElementById("verdict-sub").textContent,
      error: document.getElementById("error").classList.contains("hidden") ? null : document.getElementById("error").textContent,
    }));
    await vp.screenshot({ path: `${cfg.shots}/verify-${name}.png`, fullPage: true });
    out("verify", { name, ...res });
    await vp.evaluate(() => { document.getElementById("result").classList.add("hidden"); document.getElementById("error").classList.add("hidden"); });
  };
  const paste = async (name, text) => { await v.fill("#text", text); await v.click("#verify"); await verdict(v, name); };
  for (const [name, text] of Object.entries(cfg.paste)) await paste(name, text);

  // show a QR code on the holder page (mode, the fields still chosen), take its text
  const showQr = async (mode, name) => {
    await page.check(`input[name=mode][value=${mode}]`);
    await page.click("#show");
    await page.waitForSelector("#qr-png", { timeout: 30000 });
    const text = await page.inputValue("#qr-text");
    const countdown = Number(await page.textContent("#countdown"));
    const png = await page.getAttribute("#qr-png", "src");
    await page.screenshot({ path: `${cfg.shots}/holder-qr-${name}.png`, fullPage: true });
    out("qr", { name, mode, text, countdown });
    return { text, png };
  };
  const again = async () => {
    await page.click("#qr-back");
    await page.click(`.license[data-province="${cfg.showProvince}"] button.choose`);
    for (const f of cfg.fields) await page.check(`input[name=claim][value="${f}"]`);
  };
  if (cfg.qr) {
    const off = await showQr("offline", "offline");
    await paste("qr-offline", off.text);
    await advance(cfg.pastExpiry);
    await paste("qr-offline-expired", off.text);
    await again();
    const on = await showQr("online", "online");
    await paste("qr-online", on.text);
    await paste("qr-online-again", on.text);
  }
  if (cfg.qr && cfg.camera) {
    // the camera: Chromium's fake capture plays a video of a fresh QR code, which the
    // page reads (BarcodeDetector, or the bundled jsQR) and verifies
    await again();
    const cam = await showQr("online", "camera");
    const frame = await page.evaluate(async src => {
      const img = new Image(); img.src = src; await img.decode();
      const W = 640, H = 480, c = document.createElement("canvas"); c.width = W; c.height = H;
      const g = c.getContext("2d"); g.fillStyle = "#fff"; g.fillRect(0, 0, W, H);
      const side = Math.min(W, H) - 16; g.imageSmoothingEnabled = false;
      g.drawImage(img, (W - side) / 2, (H - side) / 2, side, side);
      const d = g.getImageData(0, 0, W, H).data, y = new Array(W * H);
      for (let i = 0; i < W * H; i++) y[i] = Math.round(0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]);
      return y;
    }, cam.png);
    const W = 640, H = 480, header = Buffer.from(`YUV4MPEG2 W${W} H${H} F5:1 Ip A1:1 C420jpeg\n`);
    const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
    const oneFrame = Buffer.concat([Buffer.from("FRAME\n"), Buffer.from(frame), chroma]);
    writeFileSync(cfg.shots + "/qr.y4m", Buffer.concat([header, oneFrame, oneFrame]));
    const camBrowser = await chromium.launch({ executablePath: cfg.chromium, headless: true,
      args: ["--no-sandbox", "--disable-dev-shm-usage", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
             `--use-file-for-fake-video-capture=${cfg.shots}/qr.y4m`] });
    try {
      const cctx = await camBrowser.newContext({ viewport: { width: 390, height: 844 }, permissions: ["camera"] });
      const cp = await cctx.newPage();
      cp.on("pageerror", e => errors.push(String(e)));
      await cp.goto(cfg.zj + "/verify");
      await cp.click("#scan");
      await verdict(cp, "camera");
      out("camera", { decoder: await cp.textContent("#decoder"), state: await cp.textContent("#scan-state"), text: await cp.inputValue("#text"), shown: cam.text });
    } finally { await camBrowser.close(); }
  }
  out("errors", { errors });
} finally {
  await browser.close();
  // stop reading standard input, so that the process ends
  input.close();
}
