/* ydt back office keys (admin_base.html only): "/" jumps to the filters,
   j/k move through table rows, Enter opens the row's first link. */
(() => {
"use strict";
document.addEventListener("keydown", (ev) => {
  const a = document.activeElement;
  if (ev.ctrlKey || ev.metaKey || ev.altKey || a.closest("input,textarea,select,[contenteditable]")) return;
  const rows = [...document.querySelectorAll(".table tbody tr")];
  if (ev.key === "/") {
    const first = document.querySelector(".filters input,.filters select");
    if (first) ev.preventDefault(), first.focus();
  } else if ((ev.key === "j" || ev.key === "k") && rows.length) {
    const row = rows[Math.max(0, Math.min(rows.length - 1, rows.indexOf(a) + (ev.key === "j" ? 1 : -1)))];
    row.tabIndex = -1;
    row.focus();
  } else if (ev.key === "Enter" && rows.includes(a) && a.querySelector("a")) a.querySelector("a").click();
});
})();
