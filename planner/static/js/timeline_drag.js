/* Dragging an appointment on the timeline: up or down to another time (15-minute steps), sideways to another day.
 *
 * Loaded on the timeline for editors only, after interact.js. On drop the script posts the block's own
 * "Verschieben" form (program.move_appointment: CSRF token, the version the page was drawn with, the new
 * start as wall time in the appointment's zone), so the server checks it exactly as when the form is typed:
 * a time the clocks skip, a stale version. Saved: the page reloads and shows the server's result with the
 * warnings it flashed. Refused: the block goes back and the server's message is shown above the timeline.
 * Without this script (or without a mouse) the block's "Verschieben" link leads to the same form.
 *
 * A copy of the block follows the pointer in a fixed layer: the block itself sits in an SVG
 * foreignObject, which clips whatever is drawn outside it. Its position is set through element.style
 * by script, which the Content-Security-Policy allows (style attributes in the HTML it does not).
 */
(function () {
  "use strict";

  const timeline = document.querySelector(".timeline--movable");
  if (!timeline || typeof window.interact !== "function") {
    return;
  }
  const message = document.querySelector("[data-drag-message]");
  const STEP_MINUTES = 15;
  const DAY_MINUTES = 24 * 60;
  const DAY_MS = 24 * 60 * 60 * 1000;
  let justDragged = false;

  function pad(number) {
    return String(number).padStart(2, "0");
  }

  /* Wall-time arithmetic on "YYYY-MM-DDTHH:MM" without any zone (Date's UTC fields as a plain calendar):
     the server reads the result in the appointment's own zone and refuses a time the clocks skip. */
  function shifted(wall, days, minutes) {
    const [datePart, timePart] = wall.split("T");
    const [year, month, day] = datePart.split("-").map(Number);
    const [hour, minute] = timePart.split(":").map(Number);
    const moved = new Date(Date.UTC(year, month - 1, day + days, hour, minute + minutes));
    return (
      `${moved.getUTCFullYear()}-${pad(moved.getUTCMonth() + 1)}-${pad(moved.getUTCDate())}` +
      `T${pad(moved.getUTCHours())}:${pad(moved.getUTCMinutes())}`
    );
  }

  function daysBetween(from, to) {
    return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
  }

  function stepPixels(block) {
    const body = block.closest(".timeline__body");
    return (body.getBoundingClientRect().height / DAY_MINUTES) * STEP_MINUTES;
  }

  function columnAt(x) {
    for (const column of timeline.querySelectorAll(".timeline__day")) {
      const box = column.querySelector(".timeline__body").getBoundingClientRect();
      if (x >= box.left && x <= box.right) {
        return column;
      }
    }
    return null;
  }

  function say(text) {
    message.textContent = text;
    message.hidden = false;
    message.scrollIntoView({ block: "nearest" });
  }

  function messagesOf(page) {
    const doc = new DOMParser().parseFromString(page, "text/html");
    return Array.from(doc.querySelectorAll(".field-errors li"), (item) => item.textContent.trim()).filter(Boolean);
  }

  function start(event) {
    const block = event.target;
    const box = block.getBoundingClientRect();
    const ghost = block.cloneNode(true);
    ghost.removeAttribute("href");
    ghost.setAttribute("aria-hidden", "true");
    ghost.classList.add("block--dragging");
    Object.assign(ghost.style, {
      position: "fixed",
      left: `${box.left}px`,
      top: `${box.top}px`,
      width: `${box.width}px`,
      height: `${box.height}px`,
      margin: "0",
      pointerEvents: "none",
    });
    document.body.appendChild(ghost);
    block.classList.add("block--placeholder");
    block.drag = { ghost, x: 0, y: 0, step: stepPixels(block), centre: box.left + box.width / 2 };
    message.hidden = true;
  }

  function steps(drag) {
    return Math.round(drag.y / drag.step);
  }

  function move(event) {
    const drag = event.target.drag;
    drag.x += event.dx;
    drag.y += event.dy;
    drag.ghost.style.transform = `translate(${drag.x}px, ${steps(drag) * drag.step}px)`;
  }

  function putBack(block) {
    block.drag.ghost.remove();
    block.classList.remove("block--placeholder");
    block.drag = null;
  }

  function end(event) {
    const block = event.target;
    const drag = block.drag;
    // The pointer is released over the page, not the link: no click may follow the drag.
    justDragged = true;
    window.setTimeout(() => {
      justDragged = false;
    }, 0);
    const source = block.closest(".timeline__day");
    const target = columnAt(drag.centre + drag.x);
    const minutes = steps(drag) * STEP_MINUTES;
    const days = target ? daysBetween(source.dataset.day, target.dataset.day) : 0;
    if (!target || (days === 0 && minutes === 0)) {
      putBack(block);
      return;
    }
    const form = new FormData();
    form.append("csrf_token", timeline.dataset.csrf);
    form.append("version", block.dataset.version);
    form.append("starts", shifted(block.dataset.start, days, minutes));
    // Not followed: the redirect's page would take the flashed messages that the reload shows.
    fetch(block.dataset.moveUrl, { method: "POST", body: form, credentials: "same-origin", redirect: "manual" })
      .then((response) => {
        if (response.type === "opaqueredirect") {
          window.location.reload();
          return null;
        }
        putBack(block);
        if (response.status === 409) {
          say(timeline.dataset.stale);
          return null;
        }
        return response.text().then((page) => {
          const texts = messagesOf(page);
          say(texts.length ? texts.join(" ") : timeline.dataset.refused);
        });
      })
      .catch(() => {
        if (block.drag) {
          putBack(block);
        }
        say(timeline.dataset.refused);
      });
  }

  timeline.addEventListener(
    "click",
    (event) => {
      if (justDragged) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true,
  );

  window.interact(".block--movable").draggable({ listeners: { start, move, end } });
})();
