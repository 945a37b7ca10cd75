// Drives the system Chromium (headless, phone-sized) through the holder and verify
// pages of the nodes the calling test started, and prints what it saw as one JSON line
// per step; the test (tests/it/holder/browser.rs) asserts on it. Screenshots go to
// the directory given. Usage: node flow.mjs '<json config>'
import { chromium } from "playwright-core";

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
  for (const [name, text] of Object.entries(cfg.paste)) {
    await v.fill("#text", text);
    await v.click("#verify");
    await v.waitForFunction(() => !document.getElementById("result").classList.contains("hidden") || !document.getElementById("error").classList.contains("hidden"), null, { timeout: 20000 });
    const res = await v.evaluate(() => ({
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
      error: document.getElementById("error").classList.contains("hidden") ? null : document.getElementById("error").textContent,
    }));
    await v.screenshot({ path: `${cfg.shots}/verify-${name}.png`, fullPage: true });
    out("verify", { name, ...res });
    await v.evaluate(() => { document.getElementById("result").classList.add("hidden"); document.getElementById("error").classList.add("hidden"); });
  }
  out("errors", { errors });
} finally {
  await browser.close();
}
