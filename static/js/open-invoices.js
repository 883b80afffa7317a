// Invoice pickers of the dues admin (dues/pickers.py): when another organisation is chosen,
// the invoices offered become that organisation's open ones, fetched from the admin.
(function () {
  "use strict";

  function checkbox(target, name, invoice, index) {
    const row = document.createElement("div");
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = name;
    input.value = invoice.id;
    input.id = target.id + "_" + index;
    label.htmlFor = input.id;
    label.append(input, " ", invoice.label);
    row.append(label);
    return row;
  }

  function option(invoice) {
    const element = document.createElement("option");
    element.value = invoice.id;
    element.textContent = invoice.label;
    return element;
  }

  async function reload(select) {
    const target = document.getElementById(select.dataset.openInvoicesFor);
    if (!target) return;
    let invoices = [];
    if (select.value) {
      const url = new URL(select.dataset.openInvoices, window.location.href);
      url.searchParams.set("organisation", select.value);
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return;
      invoices = (await response.json()).invoices;
    }
    if (target.tagName === "SELECT") {
      const blank = target.querySelector('option[value=""]');
      target.replaceChildren(...(blank ? [blank] : []), ...invoices.map(option));
    } else {
      const name = select.dataset.openInvoicesName;
      target.replaceChildren(...invoices.map((invoice, i) => checkbox(target, name, invoice, i)));
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-open-invoices]").forEach(function (select) {
      const changed = function () { reload(select); };
      // The admin's autocomplete (select2) announces a choice through jQuery only; jQuery's
      // handlers also hear the browser's own change events.
      if (window.django && window.django.jQuery) {
        window.django.jQuery(select).on("change", changed);
      } else {
        select.addEventListener("change", changed);
      }
    });
  });
})();
