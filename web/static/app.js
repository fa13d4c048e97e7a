/* ydt shell script: window.ydt.* and data-* behaviours, see web/README.md. */
(() => {
"use strict";
const d = document, $$ = (s, el = d) => el.querySelectorAll(s);
const say = (k, dflt) => d.body.dataset[k] || dflt;
const emit = (el, name, detail) => el.dispatchEvent(new CustomEvent(name, {bubbles: true, detail}));

let tip, tipTimer;
function toast(msg, ms = 2200) {
  tip = tip || Object.assign(d.body.appendChild(d.createElement("div")), {className: "toast", role: "status"});
  tip.textContent = msg;
  tip.classList.add("is-shown");
  clearTimeout(tipTimer);
  tipTimer = setTimeout(() => tip.classList.remove("is-shown"), ms);
}

const newKey = () => crypto.randomUUID?.() || Date.now() + "-" + Math.random();

// Rejects with Error {status (0: offline), code, details}; toasts unless opts.quiet.
async function api(method, path, body, opts = {}) {
  const csrf = d.querySelector("meta[name=csrf-token]");
  const headers = {"X-CSRF-Token": csrf ? csrf.content : "", ...opts.headers};
  if (body != null) headers["Content-Type"] = "application/json", body = JSON.stringify(body);
  let res, data, e;
  try {
    res = await fetch(path.startsWith("/api/") ? path : say("apiBase", "/api/v1") + path,
      {method: method.toUpperCase(), headers, body, credentials: "same-origin"});
    if (res.headers.has("X-Cart-Count")) setCartCount(res.headers.get("X-Cart-Count"));
    data = res.status === 204 ? null : await res.json().catch(() => null);
    if (res.ok) return data;
    e = (data && data.error) || {};
  } catch (_) {
    e = {code: "network_error", message: say("msgNetwork", "Network error")};
  }
  const status = res ? res.status : 0;
  const err = Object.assign(new Error(e.message || say("msgError", "Error")), {status, code: e.code || "http_" + status, details: e.details || {}});
  if (!opts.quiet) toast(err.message);
  throw err;
}

const price = (value, cls) => {
  const [int, dec = "00"] = String(value).split(".");
  return `<span class="price${cls ? " " + cls : ""}">${int[0] === "-" ? "-" : ""}<span class="price__sym">¥</span><span class="price__int">${int.replace("-", "")}</span><span class="price__dec">.${dec}</span></span>`;
};

function setCartCount(n) {
  n = Math.max(0, parseInt(n) || 0);
  $$("[data-cart-count]").forEach((el) => (el.dataset.cartCount = n, el.textContent = n > 99 ? "99+" : n || ""));
}

function toggleSheet(sheet, open) {
  sheet = typeof sheet === "string" ? d.getElementById(sheet) : sheet;
  if (!sheet) return;
  sheet.classList.toggle("is-open", open);
  sheet.setAttribute("aria-hidden", !open);
  d.documentElement.classList.toggle("is-locked", !!d.querySelector(".sheet.is-open"));
  if (open) sheet.querySelector(".sheet__panel").focus({preventScroll: true});
}
const openSheet = (id) => toggleSheet(id, true);
const closeSheet = (id) => toggleSheet(id || d.querySelector(".sheet.is-open"), false);

function setQty(stepper, value) {
  const input = stepper.querySelector("input"), old = input.value, min = +(input.min || 1), max = input.max ? +input.max : Infinity;
  const v = input.value = Math.min(max, Math.max(min, parseInt(value, 10) || min));
  stepper.firstElementChild.disabled = v <= min;
  stepper.lastElementChild.disabled = v >= max;
  if (String(v) !== old) emit(input, "change");
}

function formJSON(form, only) {
  const out = {};
  for (const el of form.elements) {
    let name = el.name, v = el.value, t = el.type;
    if (!name || el.disabled || /^(submit|button|reset|file)$/.test(t) || (t === "radio" && !el.checked)) continue;
    const many = name.endsWith("[]"), keys = name.replace("[]", "").split("."), last = keys.pop();
    if (only && !only.includes(keys[0] || last)) continue;
    if (t === "checkbox" && !many) v = el.checked;
    else if (t === "number" || el.dataset.type === "number") { if (v === "") continue; v = +v; }
    let node = out;
    for (const k of keys) node = node[k] = node[k] || {};
    if (!many) node[last] = v;
    else if ((node[last] = node[last] || []) && (t !== "checkbox" || el.checked)) node[last].push(v);
  }
  return out;
}

// {delivery: {phone: [msg]}} -> .field of [name="delivery.phone"]
function showFieldErrors(form, details, prefix = "") {
  for (const [k, v] of Object.entries(details || {})) {
    if (v && v.constructor === Object) { showFieldErrors(form, v, prefix + k + "."); continue; }
    const el = form.querySelector(`[name="${CSS.escape(prefix + k)}"]`), field = el && el.closest(".field");
    if (field) field.classList.add("is-error"), (field.querySelector(".field__error") || {}).textContent = [].concat(v).join("；");
  }
}

// A bound price keeps the size class of the one it replaces.
const bind = (scope, data) => $$("[data-bind]", scope).forEach((el) => {
  const v = el.dataset.bind.split(".").reduce((o, k) => o && o[k], data), was = el.querySelector(".price");
  if (v != null) el.dataset.format === "price" ? el.innerHTML = price(v, was && was.className.slice(6)) : el.textContent = v;
});

// img[data-src] loads near the screen (native loading=lazy starts too early).
const near = window.IntersectionObserver && new IntersectionObserver((all) => all.forEach((e) =>
  e.isIntersecting && (near.unobserve(e.target), e.target.src = e.target.dataset.src)), {rootMargin: "150px"});
const lazy = (scope = d) => $$("img[data-src]:not([src])", scope).forEach((img) => near ? near.observe(img) : img.src = img.dataset.src);

// The submit button may override data-api/-method/-redirect/-toast/-confirm.
async function submitForm(form, btn) {
  const opt = (k) => (btn && btn.dataset[k]) || form.dataset[k], headers = {};
  if (form.classList.contains("is-busy") || (opt("confirm") && !confirm(opt("confirm")))) return;
  if (form.hasAttribute("data-idempotent")) headers["Idempotency-Key"] = form.dataset.key ||= newKey();
  $$(".is-error", form).forEach((f) => f.classList.remove("is-error"));
  $$(".field__error", form).forEach((f) => f.textContent = "");
  const busy = (on) => (form.classList.toggle("is-busy", on), btn && (btn.classList.toggle("is-loading", on), btn.disabled = on));
  busy(true);
  try {
    const data = await api(opt("method") || "POST", opt("api"), formJSON(form), {headers}), next = opt("redirect");
    emit(form, "ydt:success", data);
    if (opt("toast")) toast(opt("toast"));
    if (next) return location.href = next.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(data[k]));
    if (form.hasAttribute("data-reload")) location.reload();
  } catch (err) {
    if (err.status >= 400 && err.status < 500) delete form.dataset.key;
    showFieldErrors(form, err.details);
    emit(form, "ydt:error", err);
  }
  busy(false);
}

const timers = new WeakMap(), later = (el, fn) => (clearTimeout(timers.get(el)), timers.set(el, setTimeout(fn, 350)));

d.addEventListener("click", (ev) => {
  const t = ev.target, ask = t.closest("[data-confirm]");
  if (ask && !(ask.form && ask.form.dataset.api) && !confirm(ask.dataset.confirm)) return ev.preventDefault();
  const open = t.closest("[data-sheet-open]"), close = t.closest("[data-sheet-close]"), step = t.closest(".stepper [data-step]");
  if (open) ev.preventDefault(), openSheet(open.dataset.sheetOpen);
  else if (close) ev.preventDefault(), closeSheet(close.closest(".sheet"));
  else if (step) setQty(step.parentNode, +step.parentNode.querySelector("input").value + +step.dataset.step);
});

d.addEventListener("change", (ev) => {
  const input = ev.target, stepper = input.closest(".stepper"), form = input.form;
  if (stepper && ev.isTrusted) setQty(stepper, input.value);
  if (stepper && stepper.dataset.api)
    later(stepper, () => api("PATCH", stepper.dataset.api, {qty: +input.value}).then((r) => emit(stepper, "ydt:saved", r)));
  if (form && form.dataset.live) later(form, () =>
    api("POST", form.dataset.live, formJSON(form, form.dataset.liveFields && form.dataset.liveFields.split(",")), {quiet: true})
      .then((r) => (bind(form.closest("[data-live-scope]") || form, r), emit(form, "ydt:live", r)), () => {}));
});

d.addEventListener("submit", (ev) => ev.target.dataset.api && (ev.preventDefault(), submitForm(ev.target, ev.submitter)));
d.addEventListener("keydown", (ev) => ev.key === "Escape" && closeSheet());
d.addEventListener("scroll", (ev) => {
  const t = ev.target, out = t.matches && t.matches(".carousel__track") && t.parentNode.querySelector("[data-index]");
  if (out) out.textContent = Math.round(t.scrollLeft / t.clientWidth) + 1;
}, true);

if (d.body.dataset.toast) toast(d.body.dataset.toast);
lazy();

window.ydt = {api, toast, price, setCartCount, openSheet, closeSheet, setQty, formJSON, submitForm, bind, newKey, lazy};
})();
