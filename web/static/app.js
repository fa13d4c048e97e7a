/* ydt shell script. Plain JS, no framework. Pages call window.ydt.*; the
   data-* behaviours below work without any page script. */
(() => {
  "use strict";
  const d = document;
  const root = d.documentElement;
  const text = (key, fallback) => d.body.dataset[key] || fallback;
  const byId = (x) => (typeof x === "string" ? d.getElementById(x) : x);
  const emit = (el, name, detail) =>
    el.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));

  let toastEl;
  let toastTimer;
  function toast(msg, ms = 2200) {
    if (!toastEl) {
      toastEl = d.createElement("div");
      toastEl.className = "toast";
      toastEl.setAttribute("role", "status");
      toastEl.setAttribute("aria-live", "polite");
      d.body.appendChild(toastEl);
    }
    toastEl.textContent = msg;
    toastEl.classList.add("is-shown");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => toastEl.classList.remove("is-shown"), ms);
  }

  class ApiError extends Error {
    constructor(status, code, message, details) {
      super(message);
      Object.assign(this, { status, code, details: details || {} });
    }
  }

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
  }

  // One call for every JSON request; rejects with ApiError after toasting
  // the server's message (pass {quiet: true} to handle errors yourself).
  async function api(method, path, body, opts = {}) {
    const meta = d.querySelector('meta[name="csrf-token"]');
    const headers = { Accept: "application/json", ...opts.headers };
    if (meta && meta.content) headers["X-CSRF-Token"] = meta.content;
    const init = { method: method.toUpperCase(), headers, credentials: "same-origin" };
    if (body != null) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const url = path.startsWith("/api/") ? path : text("apiBase", "/api/v1") + path;
    const fail = (err) => {
      if (!opts.quiet) toast(err.message);
      throw err;
    };
    let res;
    try {
      res = await fetch(url, init);
    } catch (e) {
      return fail(new ApiError(0, "network_error", text("msgNetwork", "Network error")));
    }
    const count = res.headers.get("X-Cart-Count");
    if (count !== null) setCartCount(count);
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (res.ok) return data;
    const e = (data && data.error) || {};
    const err = new ApiError(
      res.status,
      e.code || `http_${res.status}`,
      e.message || text("msgError", "Something went wrong"),
      e.details,
    );
    const login = d.body.dataset.loginUrl;
    if (res.status === 401 && login && !opts.quiet) {
      location.href = `${login}?next=${encodeURIComponent(location.pathname + location.search)}`;
    }
    return fail(err);
  }

  // "3280.00" -> the same markup as the price() macro.
  function price(value) {
    const [int, dec = "00"] = String(value).split(".");
    return `<span class="price"><span class="price__sym">¥</span><span class="price__int">${int}</span><span class="price__dec">.${dec}</span></span>`;
  }

  function setCartCount(n) {
    n = Math.max(0, parseInt(n, 10) || 0);
    d.querySelectorAll("[data-cart-count]").forEach((el) => {
      el.dataset.cartCount = n;
      el.textContent = n > 99 ? "99+" : n || "";
    });
  }

  function openSheet(id) {
    const sheet = byId(id);
    if (!sheet) return;
    sheet.classList.add("is-open");
    sheet.setAttribute("aria-hidden", "false");
    root.classList.add("is-locked");
    const panel = sheet.querySelector(".sheet__panel");
    if (panel) panel.focus({ preventScroll: true });
    emit(sheet, "ydt:sheet-open");
  }

  function closeSheet(id) {
    const sheet = id ? byId(id) : d.querySelector(".sheet.is-open");
    if (!sheet) return;
    sheet.classList.remove("is-open");
    sheet.setAttribute("aria-hidden", "true");
    if (!d.querySelector(".sheet.is-open")) root.classList.remove("is-locked");
    emit(sheet, "ydt:sheet-close");
  }

  // Stepper: clamp to min/max, keep the buttons' disabled state right.
  function setQty(stepper, value) {
    const input = stepper.querySelector("input");
    const min = input.min === "" ? 1 : +input.min;
    const max = input.max === "" ? Infinity : +input.max;
    const v = Math.min(max, Math.max(min, parseInt(value, 10) || min));
    const changed = String(v) !== input.value;
    input.value = v;
    stepper.querySelector("[data-step='-1']").disabled = v <= min;
    stepper.querySelector("[data-step='1']").disabled = v >= max;
    if (changed) emit(input, "change");
    return v;
  }

  // name="a.b" nests, name="x[]" collects, type=number gives numbers,
  // a checkbox without [] gives a boolean.
  function formJSON(form, only) {
    const out = {};
    for (const el of form.elements) {
      let name = el.name;
      if (!name || el.disabled || /^(submit|button|reset|file)$/.test(el.type)) continue;
      if (el.type === "radio" && !el.checked) continue;
      const many = name.endsWith("[]");
      if (many) name = name.slice(0, -2);
      if (only && !only.includes(name.split(".")[0])) continue;
      let v = el.value;
      if (el.type === "checkbox" && !many) v = el.checked;
      else if (el.type === "number" || el.dataset.type === "number") {
        if (v === "") continue;
        v = Number(v);
      }
      const keys = name.split(".");
      const last = keys.pop();
      let node = out;
      for (const k of keys) node = node[k] = node[k] || {};
      if (!many) node[last] = v;
      else {
        node[last] = node[last] || [];
        if (el.type !== "checkbox" || el.checked) node[last].push(v);
      }
    }
    return out;
  }

  function flatten(obj, prefix = "", out = {}) {
    for (const [k, v] of Object.entries(obj || {})) {
      const key = prefix + k;
      if (v && typeof v === "object" && !Array.isArray(v)) flatten(v, `${key}.`, out);
      else out[key] = [].concat(v).join("；");
    }
    return out;
  }

  function showFieldErrors(form, details) {
    for (const [name, msg] of Object.entries(flatten(details))) {
      const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
      const field = el && el.closest(".field");
      if (!field) continue;
      field.classList.add("is-error");
      const slot = field.querySelector(".field__error");
      if (slot) slot.textContent = msg;
    }
  }

  function busy(form, btn, on) {
    form.classList.toggle("is-busy", on);
    if (btn) {
      btn.classList.toggle("is-loading", on);
      btn.disabled = on;
    }
  }

  // Fill [data-bind=key] elements from a JSON answer; data-format=price
  // renders money strings like the price() macro.
  function bind(scope, data) {
    scope.querySelectorAll("[data-bind]").forEach((el) => {
      const v = el.dataset.bind.split(".").reduce((o, k) => (o == null ? o : o[k]), data);
      if (v == null) return;
      if (el.dataset.format === "price") el.innerHTML = price(v);
      else el.textContent = v;
    });
  }

  async function submitForm(form, btn) {
    if (form.classList.contains("is-busy")) return;
    const ask = (btn && btn.dataset.confirm) || form.dataset.confirm;
    if (ask && !confirm(ask)) return;
    const opt = (k) => (btn && btn.dataset[k]) || form.dataset[k];
    const headers = {};
    if (form.hasAttribute("data-idempotent")) {
      form.dataset.key = form.dataset.key || newKey();
      headers["Idempotency-Key"] = form.dataset.key;
    }
    form.querySelectorAll(".field.is-error").forEach((f) => f.classList.remove("is-error"));
    busy(form, btn, true);
    try {
      const data = await api(opt("method") || "POST", opt("api"), formJSON(form), { headers });
      emit(form, "ydt:success", data);
      if (opt("toast")) toast(opt("toast"));
      const next = opt("redirect");
      if (next) {
        location.href = next.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(data[k]));
        return;
      }
      if (form.hasAttribute("data-reload")) location.reload();
      busy(form, btn, false);
    } catch (err) {
      // A 4xx made nothing, so an edited retry needs a fresh key.
      if (err.status >= 400 && err.status < 500) delete form.dataset.key;
      showFieldErrors(form, err.details);
      emit(form, "ydt:error", err);
      busy(form, btn, false);
    }
  }

  const timers = new WeakMap();
  function debounce(el, fn, ms = 350) {
    clearTimeout(timers.get(el));
    timers.set(el, setTimeout(fn, ms));
  }

  d.addEventListener(
    "click",
    (ev) => {
      const el = ev.target.closest("[data-confirm]");
      if (el && !el.form && !confirm(el.dataset.confirm)) {
        ev.preventDefault();
        ev.stopImmediatePropagation();
      }
    },
    true,
  );

  d.addEventListener("click", (ev) => {
    const t = ev.target;
    const opener = t.closest("[data-sheet-open]");
    if (opener) {
      ev.preventDefault();
      openSheet(opener.dataset.sheetOpen);
      return;
    }
    const closer = t.closest("[data-sheet-close]");
    if (closer) {
      ev.preventDefault();
      closeSheet(closer.closest(".sheet"));
      return;
    }
    const step = t.closest(".stepper [data-step]");
    if (step) {
      const stepper = step.closest(".stepper");
      setQty(stepper, +stepper.querySelector("input").value + +step.dataset.step);
    }
  });

  d.addEventListener("change", (ev) => {
    const input = ev.target;
    const stepper = input.closest(".stepper");
    if (stepper && ev.isTrusted) setQty(stepper, input.value);
    if (stepper && stepper.dataset.api) {
      debounce(stepper, () =>
        api("PATCH", stepper.dataset.api, { qty: +input.value }).then((data) =>
          emit(stepper, "ydt:saved", data),
        ),
      );
    }
    const live = input.form && input.form.dataset.live;
    if (live) {
      const form = input.form;
      const only = form.dataset.liveFields && form.dataset.liveFields.split(",");
      debounce(form, () =>
        api("POST", live, formJSON(form, only), { quiet: true })
          .then((data) => {
            bind(form.closest("[data-live-scope]") || form, data);
            emit(form, "ydt:live", data);
          })
          .catch(() => {}),
      );
    }
  });

  d.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!form.dataset.api) return;
    ev.preventDefault();
    submitForm(form, ev.submitter);
  });

  d.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") closeSheet();
  });

  d.addEventListener(
    "scroll",
    (ev) => {
      const track = ev.target;
      if (!track.classList || !track.classList.contains("carousel__track")) return;
      const out = track.parentNode.querySelector("[data-index]");
      if (out) out.textContent = Math.round(track.scrollLeft / track.clientWidth) + 1;
    },
    true,
  );

  d.querySelectorAll(".stepper").forEach((s) => setQty(s, s.querySelector("input").value));
  if (d.body.dataset.toast) toast(d.body.dataset.toast);

  window.ydt = {
    api,
    ApiError,
    toast,
    price,
    setCartCount,
    openSheet,
    closeSheet,
    setQty,
    formJSON,
    submitForm,
    bind,
    newKey,
  };
})();
