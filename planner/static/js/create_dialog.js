/* The create dialog: "Neue Organisation" (or Person, Stadt) beside a record select.
 *
 * The link beside the select (templates/macros.html, create_link) carries hx-get: htmx loads the
 * directory's own form into the dialog (#create-dialog-body) and this script opens it as a modal.
 * The form posts with htmx into the same place. Invalid input comes back as 422 with the messages,
 * which htmx would not swap by default; a saved record answers 204 with the event
 * "planner:created" (id, label): the new record joins every select of its kind on the page and is
 * chosen in the one the link belongs to. The page's own form is never submitted or reloaded, so
 * nothing typed there is lost. Escape or "Abbrechen" closes the dialog; the focus returns to the link.
 */
(() => {
  'use strict';

  const DIALOG_ID = 'create-dialog';
  const BODY_ID = 'create-dialog-body';
  let opener = null;

  const dialog = () => document.getElementById(DIALOG_ID);
  const body = () => document.getElementById(BODY_ID);

  function addChoice(select, value, label, choose) {
    const control = select.tomselect;
    if (control) {
      control.addOption({ value, text: label });
      if (choose) control.addItem(value);
      return;
    }
    if (!Array.from(select.options).some((option) => option.value === value)) {
      select.add(new Option(label, value));
    }
    if (choose) {
      select.value = value;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }

  // A 422 into the dialog is its form again, with the messages: show it.
  document.addEventListener('htmx:beforeSwap', (event) => {
    const target = event.detail.target;
    if (event.detail.xhr.status === 422 && target && target.id === BODY_ID) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener('htmx:beforeRequest', (event) => {
    const link = event.detail.elt.closest && event.detail.elt.closest('[data-create-for]');
    if (link) opener = link;
  });

  document.addEventListener('htmx:afterSwap', (event) => {
    const box = dialog();
    if (!box || event.detail.target !== body()) return;
    if (!box.open) box.showModal();
    const first = body().querySelector('[aria-invalid="true"]') || body().querySelector('input:not([type="hidden"]), select, textarea');
    if (first) first.focus();
  });

  document.addEventListener('planner:created', (event) => {
    const { id, label } = event.detail;
    const select = opener && document.getElementById(opener.dataset.createFor);
    if (select) {
      const kind = select.dataset.create;
      document.querySelectorAll(`select[data-create="${kind}"]`).forEach((other) => {
        addChoice(other, String(id), label, other === select);
      });
    }
    const box = dialog();
    if (box && box.open) box.close();
  });

  document.addEventListener('click', (event) => {
    if (event.target.closest && event.target.closest('[data-dialog-close]')) {
      const box = dialog();
      if (box && box.open) box.close();
    }
  });

  function init() {
    const box = dialog();
    if (!box) return;
    // Escape, "Abbrechen" or a saved record: empty the dialog (no stale form, no duplicate ids) and
    // give the focus back to the link that opened it.
    box.addEventListener('close', () => {
      body().replaceChildren();
      if (opener) opener.focus();
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
