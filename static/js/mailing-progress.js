// Refreshes the mailing progress page (admin) every few seconds from its JSON endpoint.
(function () {
  "use strict";
  const root = document.querySelector("[data-progress-url]");
  if (!root) return;
  const url = root.dataset.progressUrl;
  let status = null;
  async function refresh() {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      root.querySelectorAll("[data-field]").forEach(function (cell) {
        const value = data[cell.dataset.field];
        cell.textContent = value === null || value === undefined ? "—" : value;
      });
      if (status !== null && status !== data.status) window.location.reload();
      status = data.status;
    } catch (error) {
      // The next tick tries again; a lost request is not worth a message.
    }
  }
  refresh();
  window.setInterval(refresh, 3000);
})();
