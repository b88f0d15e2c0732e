// Read an iCalendar file on stdin with ical.js (the parser Thunderbird uses) and
// print what it sees as JSON. Driven by tests/calendar/parsers.py; not part of the app.
//
// Output:
//   {"events": [{"uid", "start": {"utc": seconds} | {"date": "YYYY-MM-DD"}, "end",
//                "summary", "status", "sequence"}],
//    "problems": ["..."]}   // times ical.js could not tie to a zone from the file
//
// The conversion to UTC is ical.js's own: every VTIMEZONE in the file is registered
// with ICAL.TimezoneService (as Thunderbird does), and Time.toUnixTime() applies
// ical.js's expansion of that VTIMEZONE. ical.js 2 also looks zones up in the
// component tree; both paths use the same ICAL.Timezone code.

import ICAL from "ical.js";

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (chunk) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function pad(number, width) {
  return String(number).padStart(width, "0");
}

function timeValue(time, uid, name, tzidParam, problems) {
  if (!time) {
    problems.push(`${uid}: no ${name}`);
    return null;
  }
  if (time.isDate) {
    return { date: `${pad(time.year, 4)}-${pad(time.month, 2)}-${pad(time.day, 2)}` };
  }
  const zone = time.zone;
  const isUtc = zone === ICAL.Timezone.utcTimezone;
  if (tzidParam) {
    // An unknown TZID silently becomes a floating time in ical.js; refuse that.
    if (!zone || zone === ICAL.Timezone.localTimezone || (zone.tzid !== tzidParam && !isUtc)) {
      problems.push(`${uid}: ${name} TZID=${tzidParam} did not resolve to a VTIMEZONE`);
      return null;
    }
  } else if (!isUtc) {
    problems.push(`${uid}: ${name} is a floating time (no TZID, no Z)`);
    return null;
  }
  return { utc: time.toUnixTime() };
}

const text = await readStdin();
const root = new ICAL.Component(ICAL.parse(text));
const calendars = root.name === "vcalendar" ? [root] : root.getAllSubcomponents("vcalendar");

for (const calendar of calendars) {
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtimezone);
  }
}

const problems = [];
const events = [];
for (const calendar of calendars) {
  for (const vevent of calendar.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(vevent);
    const uid = event.uid;
    const startProp = vevent.getFirstProperty("dtstart");
    const endProp = vevent.getFirstProperty("dtend");
    const sequence = vevent.getFirstPropertyValue("sequence");
    events.push({
      uid,
      start: timeValue(event.startDate, uid, "DTSTART", startProp && startProp.getParameter("tzid"), problems),
      // Without DTEND, ical.js derives the end from DURATION (or the start).
      end: timeValue(event.endDate, uid, "DTEND",
        endProp ? endProp.getParameter("tzid") : startProp && startProp.getParameter("tzid"), problems),
      summary: event.summary ?? null,
      status: vevent.getFirstPropertyValue("status") ?? null,
      sequence: sequence === null || sequence === undefined ? null : Number(sequence),
    });
  }
}

process.stdout.write(JSON.stringify({ events, problems }) + "\n");
