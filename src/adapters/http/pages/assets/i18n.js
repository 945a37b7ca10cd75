// The pages' two languages: Chinese first, English by the switch (kept in localStorage).
"use strict";
const DS_TEXT = {
  zh: {
    "holder.title": "亮证 · 我的电子证照", "verify.title": "扫码核验", "lang": "English",
    "signin.head": "登录（演示身份提供方）", "signin.note": "演示用户，无需密码。", "signout": "退出",
    "licenses.head": "我的证照（长三角四地归集）", "licenses.none": "没有找到您的证照。", "loading": "加载中…",
    "prov.local": "本节点", "prov.answered": "已答复", "prov.unavailable": "暂不可用",
    "valid_from": "有效期自", "valid_to": "至", "no_expiry": "长期", "issuer": "发证机关",
    "status.valid": "有效", "status.suspended": "暂停", "status.revoked": "已注销",
    "choose.head": "选择出示的字段", "mode": "模式", "mode.online": "在线（需联网核验，一次有效）", "mode.offline": "离线",
    "show": "生成亮证码", "back": "返回", "expires_in": "剩余", "seconds": "秒", "renewing": "即将自动更新",
    "qr.text": "亮证码文本",
    "consent.button": "授权调取", "consent.head": "授权部门调取证照（免提交）", "consent.agency": "调取部门", "consent.this": "仅此证照", "consent.type": "此类证照",
    "consent.purpose": "办理事项", "consent.fields": "可见字段：", "consent.until": "有效至", "consent.grant": "授权", "consent.revoke": "撤销授权",
    "consent.active": "生效中", "consent.expired": "已过期", "consent.revoked": "已撤销",
    "consents.head": "我的授权", "consents.none": "尚未授权任何部门。", "accesses.head": "调取记录", "accesses.none": "尚无部门调取。",
    "accesses.what": "调取", "accesses.licenses": "份证照",
    "scan": "摄像头扫码", "stop": "停止", "upload": "上传照片", "paste": "粘贴文本", "verify": "核验",
    "passed": "通过", "failed": "未通过", "indeterminate": "无法确定",
    "claims": "出示的信息", "province": "发证地", "agency": "发证机关", "recognition": "本地认可", "checks": "核验项目",
    "holder_name": "持证人", "holder_id": "证件号码（部分隐藏）", "compare": "请核对持证人本人。",
    "no_camera": "无法使用摄像头：", "scan.starting": "正在打开摄像头…", "scan.looking": "请将二维码对准摄像头 ·", "scan.found": "已由摄像头识别二维码", "scan.gave_up": "20 秒内未识别到二维码，请重试、上传照片或粘贴文本。", "decoder": "解码方式", "bad_input": "无法核验：",
  },
  en: {
    "holder.title": "Show license · My e-licenses", "verify.title": "Scan to verify", "lang": "中文",
    "signin.head": "Sign in (demo identity provider)", "signin.note": "Demo users, no password.", "signout": "Sign out",
    "licenses.head": "My licenses (collected from the four provinces)", "licenses.none": "No licenses found.", "loading": "Loading…",
    "prov.local": "this node", "prov.answered": "answered", "prov.unavailable": "unavailable",
    "valid_from": "Valid from", "valid_to": "to", "no_expiry": "no expiry", "issuer": "Issuer",
    "status.valid": "valid", "status.suspended": "suspended", "status.revoked": "revoked",
    "choose.head": "Choose the fields to show", "mode": "Mode", "mode.online": "online (verified online, single use)", "mode.offline": "offline",
    "show": "Show QR code", "back": "Back", "expires_in": "Expires in", "seconds": "s", "renewing": "renews before it expires",
    "qr.text": "QR text",
    "consent.button": "Let an agency fetch", "consent.head": "Let an agency fetch this license (no copies)", "consent.agency": "Agency", "consent.this": "this license only", "consent.type": "every license of this type",
    "consent.purpose": "Matter", "consent.fields": "Fields it may see:", "consent.until": "Until", "consent.grant": "Grant", "consent.revoke": "Revoke",
    "consent.active": "in force", "consent.expired": "expired", "consent.revoked": "revoked",
    "consents.head": "My consents", "consents.none": "No agency has your consent.", "accesses.head": "Access log", "accesses.none": "No agency has fetched anything.",
    "accesses.what": "fetched", "accesses.licenses": "license(s)",
    "scan": "Scan with camera", "stop": "Stop", "upload": "Upload photo", "paste": "Paste text", "verify": "Verify",
    "passed": "PASSED", "failed": "FAILED", "indeterminate": "INDETERMINATE",
    "claims": "Disclosed claims", "province": "Issuing province", "agency": "Issuing agency", "recognition": "Local recognition", "checks": "Checks",
    "holder_name": "Holder", "holder_id": "ID number (masked)", "compare": "Compare with the person in front of you.",
    "no_camera": "The camera cannot be used: ", "scan.starting": "Opening the camera…", "scan.looking": "Hold the QR code in front of the camera ·", "scan.found": "QR code read by the camera", "scan.gave_up": "No QR code read within 20 s: try again, upload a photo or paste the text.", "decoder": "Decoder", "bad_input": "Cannot verify: ",
  },
};
function dsLang() { return localStorage.getItem("ds-lang") === "en" ? "en" : "zh"; }
function t(key) { return (DS_TEXT[dsLang()] || DS_TEXT.zh)[key] || key; }
function dsApplyText() {
  document.documentElement.lang = dsLang() === "en" ? "en" : "zh-CN";
  document.querySelectorAll("[data-t]").forEach(el => { el.textContent = t(el.dataset.t); });
}
function dsToggleLang() { localStorage.setItem("ds-lang", dsLang() === "en" ? "zh" : "en"); dsApplyText(); if (window.dsRerender) window.dsRerender(); }
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) { if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v); }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}
async function dsJson(resp) { try { return await resp.json(); } catch (_) { return {}; } }
document.addEventListener("DOMContentLoaded", () => {
  dsApplyText();
  const b = document.getElementById("lang"); if (b) b.addEventListener("click", dsToggleLang);
});
