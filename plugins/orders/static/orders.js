/* Orders pages: cart updates, idempotent checkout, cancel / buy again, more
   orders. Plain JS on top of window.ydt (web/static/app.js). */
(() => {
"use strict";
const d = document, $ = (s, el = d) => el.querySelector(s), $$ = (s, el = d) => el.querySelectorAll(s);
const fill = (text, n) => text.replace("{n}", n);

/* -- cart ------------------------------------------------------------------ */
const cart = $("#cart");
const cartText = ($("#cart-text") || {}).dataset || {};

function showCart(data) {
  if (!data.lines.length) return location.reload();
  const dock = $(".dock");
  ydt.bind(dock, data);
  const note = $("[data-cart-note]", dock);
  if (note) note.textContent = data.totals.nonstandard_lines ? cartText.customNote : fill(cartText.items, data.totals.qty);
  const go = $("[data-checkout]", dock);
  if (go) {
    go.textContent = fill(cartText.checkout, data.totals.lines);
    go.toggleAttribute("aria-disabled", !data.totals.lines);
  }
  cart.dataset.unavailable = data.totals.unavailable_lines;
  for (const line of data.lines) {
    const row = $(`[data-line="${line.id}"]`, cart);
    const priceBox = row && line.available && $(".pitem__foot > span", row);
    if (priceBox) priceBox.innerHTML = ydt.price(line.unit_price);
  }
}

if (cart) {
  cart.addEventListener("ydt:saved", (ev) => showCart(ev.detail));
  cart.addEventListener("click", async (ev) => {
    const del = ev.target.closest("[data-remove]"), clear = ev.target.closest("[data-clear-unavailable]");
    if (del) {
      const data = await ydt.api("DELETE", `/cart/items/${del.dataset.remove}`);
      const row = del.closest(".pitem"), group = row.closest(".cart-group");
      row.remove();
      if (!$(".pitem", group)) group.remove();
      showCart(data);
    } else if (clear) {
      await ydt.api("DELETE", "/cart/unavailable");
      location.reload();
    }
  });
  d.addEventListener("click", async (ev) => {
    const go = ev.target.closest("[data-checkout]");
    if (!go) return;
    if (go.hasAttribute("aria-disabled")) return ev.preventDefault();
    if (+cart.dataset.unavailable > 0) {
      ev.preventDefault();
      if (!confirm(cartText.clearFirst)) return;
      await ydt.api("DELETE", "/cart/unavailable");
      location.href = go.href;
    }
  });
}

/* -- checkout -------------------------------------------------------------- */
const checkout = $("#checkout");

function showErrors(form, details, prefix = "") {
  for (const [k, v] of Object.entries(details || {})) {
    if (v && v.constructor === Object) { showErrors(form, v, prefix + k + "."); continue; }
    const field = (form.querySelector(`[name="${CSS.escape(prefix + k)}"]`) || {}).closest?.(".field");
    if (!field) continue;
    field.classList.add("is-error");
    $(".field__error", field).textContent = [].concat(v).join("；");
  }
}

if (checkout) {
  // One key for the whole visit: a double tap or a retry after a lost
  // answer returns the order already made instead of making a second one.
  const key = ydt.newKey();
  const button = $("#place-order");
  const sheet = $("#price-changed");
  let expected = checkout.dataset.total;

  const place = async () => {
    const form = ydt.formJSON(checkout);
    const body = {delivery: form.delivery, remark: form.remark || "", expected_total: expected};
    if (checkout.dataset.items) body.items = JSON.parse(checkout.dataset.items);
    else body.from_cart = true;
    $$(".field.is-error", checkout).forEach((f) => f.classList.remove("is-error"));
    $$(".field__error", checkout).forEach((slot) => (slot.textContent = ""));
    clearFailure();
    button.disabled = true;
    button.classList.add("is-loading");
    try {
      const order = await ydt.api("POST", "/orders", body, {headers: {"Idempotency-Key": key}, quiet: true});
      location.href = `/orders/${encodeURIComponent(order.no)}?placed=1`;
      return;
    } catch (err) {
      if (err.code === "price_changed") {
        const lines = $("[data-changed-lines]", sheet);
        lines.innerHTML = "";
        for (const line of err.details.lines) {
          const row = d.createElement("div");
          row.className = "row between sm mt";
          row.innerHTML = `<span class="grow ellipsis"></span><span class="text-2">${ydt.price(line.unit_price)} ×${line.qty}</span>`;
          row.firstChild.textContent = line.product_name + (line.options_label ? ` · ${line.options_label}` : "");
          lines.appendChild(row);
        }
        ydt.bind(sheet, err.details);
        sheet.dataset.total = err.details.total;
        ydt.openSheet(sheet);
      } else {
        showErrors(checkout, err.details);
        showFailure(err);
        if (err.code === "out_of_stock") return button.classList.remove("is-loading");
        if (err.code === "cart_has_unavailable_lines" || err.code === "cart_empty") setTimeout(() => (location.href = "/cart"), 2500);
      }
    }
    button.disabled = false;
    button.classList.remove("is-loading");
  };

  // Why the order was not placed, at the top of the page until the next try
  // (a toast is gone before a dealer has read it). Short lines say how many
  // are left, and the order cannot be placed until the quantities change.
  const failure = $("#checkout-error");
  const showFailure = (err) => {
    $("[data-error-text]", failure).textContent = err.message;
    $("[data-error-back]", failure).hidden = err.code !== "out_of_stock";
    failure.hidden = false;
    for (const short of (err.code === "out_of_stock" && err.details.lines) || []) {
      const body = $(`[data-product="${short.product_id}"] .pitem__body`, checkout);
      if (!body) continue;
      const note = $("[data-short]", body) || body.appendChild(Object.assign(d.createElement("div"), {className: "sm off-reason"}));
      note.dataset.short = "";
      note.textContent = short.available > 0 ? fill(checkout.dataset.shortText, short.available) : checkout.dataset.outText;
    }
    failure.scrollIntoView({block: "center", behavior: "smooth"});
  };
  const clearFailure = () => (failure.hidden = true);

  checkout.addEventListener("submit", (ev) => (ev.preventDefault(), place()));
  $("[data-accept-price]", sheet).addEventListener("click", () => {
    expected = sheet.dataset.total;
    ydt.bind($(".dock"), {total: expected});
    ydt.closeSheet(sheet);
    place();
  });
}

/* -- order list and detail --------------------------------------------------- */
const activeTab = $(".tabs .is-active");
if (activeTab) activeTab.scrollIntoView({inline: "center", block: "nearest"});

d.addEventListener("click", async (ev) => {
  const cancel = ev.target.closest("[data-cancel]"), again = ev.target.closest("[data-reorder]");
  const more = ev.target.closest("[data-more]");
  if (cancel) {
    cancel.disabled = true;
    try {
      await ydt.api("POST", `/orders/${encodeURIComponent(cancel.dataset.cancel)}/cancel`, {});
      location.reload();
    } catch (err) {
      // 409: the order moved on (the factory started, say); once the toast is read, show where it is.
      if (err.status === 409) setTimeout(() => location.reload(), 2500);
      else cancel.disabled = false;
    }
  } else if (again) {
    // One request at a time: a double tap must not put the lines in the cart twice.
    if (again.classList.contains("is-loading")) return;
    again.disabled = true;
    again.classList.add("is-loading");
    try {
      const result = await ydt.api("POST", `/orders/${encodeURIComponent(again.dataset.reorder)}/reorder`, {});
      const skipped = result.skipped.map((s) => `${s.product_name} · ${s.reason_text}`);
      if (skipped.length) alert([again.dataset.skipped, ...skipped].join("\n"));
      location.href = "/cart";  // the button stays busy until the cart shows
    } catch (_) {
      again.disabled = false;
      again.classList.remove("is-loading");
    }
  } else if (more) {
    ev.preventDefault();
    more.classList.add("is-loading");
    try {
      const page = new DOMParser().parseFromString(await (await fetch(more.href)).text(), "text/html");
      $$(".order-card", page).forEach((card) => $("#order-list").appendChild(card));
      const next = $("[data-more]", page);
      if (next) more.href = next.href;
      else more.parentNode.remove();
    } catch (_) {
      location.href = more.href;
    }
    more.classList.remove("is-loading");
  }
});
})();
