/* The personal programme page (planner.personal): install the service worker, say how old the shown copy is.
 * The page works online without this script; it only adds offline use and the age in words. */
"use strict";

(function () {
  const script = document.currentScript;

  function ageInWords(generated, now, lang) {
    const seconds = Math.round((generated.getTime() - now.getTime()) / 1000);
    const format = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
    const units = [["day", 86400], ["hour", 3600], ["minute", 60]];
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size) {
        return format.format(Math.round(seconds / size), unit);
      }
    }
    return format.format(seconds, "second");
  }

  function showAge() {
    const age = document.getElementById("age");
    if (!age) {
      return;
    }
    const generated = new Date(age.dataset.generated);
    if (Number.isNaN(generated.getTime())) {
      return;
    }
    age.textContent = age.dataset.template.replace("{age}", ageInWords(generated, new Date(), document.documentElement.lang));
  }

  function showOffline() {
    const notice = document.getElementById("offline-notice");
    if (notice && document.documentElement.dataset.served === "cache") {
      notice.hidden = false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    showOffline();
    showAge();
    window.setInterval(showAge, 60 * 1000);
  });

  if ("serviceWorker" in navigator && script) {
    navigator.serviceWorker.register(script.dataset.worker, { scope: script.dataset.scope }).catch(() => {
      // Without a worker the page still works online; nothing to tell the reader.
    });
  }
})();
