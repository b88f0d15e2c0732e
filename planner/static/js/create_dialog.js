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

  // A 422 into the dialog is its form again, with the messages: show it. A redirect (the sign-in
  // page after the session ended) is no answer of the directory's form: it must not fill the dialog.
  document.addEventListener('htmx:beforeSwap', (event) => {
    const target = event.detail.target;
    if (!target || target.id !== BODY_ID) return;
    const info = event.detail.pathInfo || {};
    const path = (url) => new URL(url, window.location.href).pathname;
    if (info.responsePath && info.requestPath && path(info.responsePath) !== path(info.requestPath)) {
      event.detail.shouldSwap = false;
      failed(event);
    } else if (event.detail.xhr.status === 422) {
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

  // The dialog's form could not be loaded or sent, or was refused otherwise (signed out, lost
  // connection): say so in the dialog, which keeps what was typed, as the page's form does.
  function failed(event) {
    const target = event.detail.target;
    if (!target || target.id !== BODY_ID) return;
    const box = dialog();
    if (!box.open) {
      const heading = document.createElement('h2');
      heading.id = `${DIALOG_ID}-title`;
      heading.className = 'dialog__title';
      heading.textContent = opener ? opener.textContent : '';
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'button';
      close.dataset.dialogClose = '';
      close.textContent = box.dataset.close;
      const actions = document.createElement('div');
      actions.className = 'form-actions';
      actions.append(close);
      body().replaceChildren(heading, actions);
      box.showModal();
      close.focus();
    }
    let message = body().querySelector('.dialog__failed');
    if (!message) {
      message = document.createElement('p');
      message.className = 'flash flash--error dialog__failed';
      message.setAttribute('role', 'alert');
      const heading = body().querySelector('h2');
      if (heading) heading.after(message);
      else body().prepend(message);
    }
    message.textContent = box.dataset.failed;
  }
  document.addEventListener('htmx:responseError', failed);
  document.addEventListener('htmx:sendError', failed);

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
