/* Time-zone selects: the zones of the chosen city's country first, regrouped as soon as the city
   (or, in the city form, the country) changes.

   The server already draws the groups for the city shown when the page was built
   (planner.web.forms.zone_choices), so this only saves a round trip. A zone select carries
   data-zone-source (the id of the city or country select), data-zone-groups (per country code:
   the group's label and its zones), data-zone-others (the label of the rest) and, when the
   source is a city select, data-zone-city-countries (city id -> country code). The chosen value
   is kept; options without a value ("the city's zone", "please choose") stay first. */
(function () {
  "use strict";

  function byCodePoint(a, b) {
    // The server sorts zone names by code point (Python's sorted), not by locale.
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function option(zone, selected) {
    const element = document.createElement("option");
    element.value = zone;
    element.textContent = zone;
    element.selected = zone === selected;
    return element;
  }

  function group(label, zones, selected) {
    const element = document.createElement("optgroup");
    element.label = label;
    zones.forEach(function (zone) {
      element.appendChild(option(zone, selected));
    });
    return element;
  }

  function enhance(select) {
    const source = document.getElementById(select.dataset.zoneSource);
    if (!source) {
      return;
    }
    let groups, cityCountries;
    try {
      groups = JSON.parse(select.dataset.zoneGroups || "{}");
      cityCountries = select.dataset.zoneCityCountries ? JSON.parse(select.dataset.zoneCityCountries) : null;
    } catch (error) {
      return; // unreadable data: the server's grouping stays as it is
    }
    const leading = Array.from(select.options).filter(function (o) {
      return o.value === "";
    });
    const all = Array.from(select.options)
      .map(function (o) {
        return o.value;
      })
      .filter(function (value) {
        return value !== "";
      })
      .sort(byCodePoint);

    source.addEventListener("change", function () {
      const country = cityCountries ? cityCountries[source.value] : source.value;
      if (cityCountries && country === undefined) {
        return; // a city this page does not know (just created elsewhere): keep the list as it is
      }
      const selected = select.value;
      const own = (groups[country] && groups[country].zones) || [];
      const fragment = document.createDocumentFragment();
      leading.forEach(function (o) {
        o.selected = o.value === selected;
        fragment.appendChild(o);
      });
      if (own.length) {
        fragment.appendChild(group(groups[country].label, own, selected));
        fragment.appendChild(
          group(
            select.dataset.zoneOthers || "",
            all.filter(function (zone) {
              return own.indexOf(zone) === -1;
            }),
            selected
          )
        );
      } else {
        all.forEach(function (zone) {
          fragment.appendChild(option(zone, selected));
        });
      }
      select.replaceChildren(fragment);
    });
  }

  function init() {
    document.querySelectorAll("select[data-zone-source]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
