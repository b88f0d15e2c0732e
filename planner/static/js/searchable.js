/* Searchable record selects: every <select data-searchable> becomes a Tom Select.
 *
 * Without this script (or without Tom Select) the plain select works as before. The search
 * ignores accents ("Dusseldorf" finds "Düsseldorf") and matches any word of an option, so a
 * family name finds the person. The select's hint and error messages (aria-describedby) and
 * its invalid state move to the control that takes the focus, so screen readers still hear them.
 */
(() => {
  'use strict';

  const ACCESSIBLE_STATE = ['aria-describedby', 'aria-invalid'];

  function enhance(select) {
    if (select.tomselect || typeof window.TomSelect !== 'function') return select.tomselect || null;
    const noResults = select.dataset.noResults || '';
    const control = new window.TomSelect(select, {
      diacritics: true,
      searchField: ['text'],
      maxOptions: null,
      create: false,
      // One choice: the list closes on it, instead of lying over the fields below.
      closeAfterSelect: true,
      allowEmptyOption: true,
      render: {
        no_results: (_data, escape) => `<div class="no-results">${escape(noResults)}</div>`,
      },
    });
    // Tom Select moves the label to its own control; the hidden select keeps its name through the label's id.
    const label = document.getElementById(`${select.id}-ts-label`);
    if (label) select.setAttribute('aria-labelledby', label.id);
    ACCESSIBLE_STATE.forEach((name) => {
      const value = select.getAttribute(name);
      if (value) control.control_input.setAttribute(name, value);
    });
    return control;
  }

  function enhanceAll(root) {
    root.querySelectorAll('select[data-searchable]').forEach(enhance);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => enhanceAll(document));
  } else {
    enhanceAll(document);
  }
})();
