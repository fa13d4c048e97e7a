/* Catalog lists: "load more" fetches the next page as HTML (?partial=1) and
   appends its items (their pictures load near the screen, ydt.lazy); it
   also loads by itself when scrolled into view. */
(() => {
  "use strict";
  const d = document;

  async function loadMore(button) {
    if (button.disabled) return;
    const list = d.querySelector("[data-list]");
    const holder = button.closest("[data-next]");
    button.disabled = true;
    button.classList.add("is-loading");
    try {
      const res = await fetch(button.dataset.more, {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
      });
      if (!res.ok) throw new Error(String(res.status));
      const page = d.createElement("div");
      page.innerHTML = await res.text();
      const items = page.querySelector("[data-items]");
      if (items) {
        list.append(...items.children);
        if (window.ydt) window.ydt.lazy(list);
      }
      const next = page.querySelector("[data-next]");
      if (next) {
        holder.replaceWith(next);
        watch(next.querySelector("[data-more]"));
      } else {
        holder.remove();
      }
    } catch (err) {
      button.disabled = false;
      button.classList.remove("is-loading");
      if (window.ydt) window.ydt.toast(d.body.dataset.msgNetwork || "Network error");
    }
  }

  const seen =
    "IntersectionObserver" in window
      ? new IntersectionObserver(
          (entries) => {
            for (const entry of entries) {
              if (entry.isIntersecting) {
                seen.unobserve(entry.target);
                loadMore(entry.target);
              }
            }
          },
          { rootMargin: "300px" },
        )
      : null;

  function watch(button) {
    if (button && seen) seen.observe(button);
  }

  d.addEventListener("click", (ev) => {
    const button = ev.target.closest("[data-more]");
    if (button) loadMore(button);
  });
  d.querySelectorAll("[data-more]").forEach(watch);
})();
