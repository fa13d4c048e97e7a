/* Product page: the configuration sheet. The shell re-quotes on every change
   (data-live="/quotes"); this script keeps the "selected" text and the grade
   table in step, lets optional choices be tapped off, shows the
   non-standard hint and adds the line to the cart. */
(() => {
  "use strict";
  const d = document;
  const form = d.getElementById("config-form");
  if (!form) return;
  const customBox = form.querySelector("textarea[name=custom_request]");
  const customHint = form.querySelector("[data-custom-hint]");
  const gradeTable = d.querySelector("[data-grade-table]");
  let intent = "cart";

  function selectedLabel() {
    const parts = [];
    form.querySelectorAll(".opt[data-group]").forEach((opt) => {
      const checked = opt.querySelector("input:checked");
      if (checked) parts.push(`${opt.dataset.groupName}: ${checked.nextElementSibling.textContent}`);
    });
    return parts.join(" / ");
  }

  function refresh() {
    const label = selectedLabel();
    d.querySelectorAll("[data-selected-label]").forEach((el) => {
      if (label) el.textContent = label;
    });
    if (gradeTable) {
      const checked = form.querySelector(`input[name="options.${gradeTable.dataset.group}"]:checked`);
      gradeTable.querySelectorAll("tr[data-grade]").forEach((row) => {
        row.classList.toggle("is-current", !!checked && row.dataset.grade === checked.value);
      });
    }
  }

  // Radios cannot be unticked; an optional group's choice can, by tapping it again.
  form.addEventListener("pointerdown", (ev) => {
    const label = ev.target.closest(".opt[data-optional] .chip");
    if (label) label.dataset.wasChecked = label.querySelector("input").checked ? "1" : "";
  });
  form.addEventListener("click", (ev) => {
    const label = ev.target.closest(".opt[data-optional] .chip");
    if (!label || ev.target.tagName !== "INPUT") return;
    const input = label.querySelector("input");
    if (label.dataset.wasChecked === "1") {
      input.checked = false;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    label.dataset.wasChecked = "";
  });

  form.addEventListener("change", refresh);

  if (customBox && customHint) {
    customBox.addEventListener("input", () => {
      customHint.hidden = !customHint.hasAttribute("data-always") && !customBox.value.trim();
    });
  }

  // Tapping a grade row picks that grade in the sheet.
  if (gradeTable) {
    gradeTable.addEventListener("click", (ev) => {
      const row = ev.target.closest("tr[data-grade]");
      if (!row) return;
      const input = form.querySelector(
        `input[name="options.${gradeTable.dataset.group}"][value="${CSS.escape(row.dataset.grade)}"]`,
      );
      if (input && !input.checked) {
        input.checked = true;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
      window.ydt.openSheet("config");
    });
  }

  d.addEventListener("click", (ev) => {
    const opener = ev.target.closest("[data-sheet-open][data-intent]");
    if (opener) intent = opener.dataset.intent;
    const back = ev.target.closest(".navbar__left");
    if (back && history.length > 1 && d.referrer.startsWith(location.origin)) {
      ev.preventDefault();
      history.back();
    }
  });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = ev.submitter || form.querySelector(`[data-intent="${intent}"]`);
    const buy = button && button.dataset.intent === "buy";
    const body = window.ydt.formJSON(form, ["product_id", "options", "qty"]);
    body.options = body.options || {};
    const custom = customBox ? customBox.value.trim() : "";
    if (custom) body.custom_request = custom;
    form.querySelectorAll("button[type=submit]").forEach((b) => (b.disabled = true));
    if (button) button.classList.add("is-loading");
    try {
      await window.ydt.api("POST", "/cart/items", body);
      if (buy) {
        location.href = "/checkout";
        return;
      }
      window.ydt.toast(form.dataset.added);
      window.ydt.closeSheet("config");
    } catch (err) {
      // the shell has shown the server's message
    }
    form.querySelectorAll("button[type=submit]").forEach((b) => (b.disabled = false));
    if (button) button.classList.remove("is-loading");
  });

  refresh();
})();
