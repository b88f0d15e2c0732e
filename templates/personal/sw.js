/* Service worker of one personal link (planner.personal): network first, the last good copy when the network fails.
 *
 * Workbox (core, routing, strategies) as its browser builds from the planner's
 * own /static/vendor (npm, pinned in planner/static/vendor/package.json),
 * loaded with importScripts: not through workbox-sw, whose loader fetches the
 * modules from a CDN. The scope is the link itself (this file is served under
 * it, and no Service-Worker-Allowed header widens it), so the worker controls
 * no other page, and a phone holding two links keeps two programmes apart.
 */
"use strict";

importScripts(...{{ workbox | tojson }});

const SCOPE = self.registration.scope;
const PAGE = new URL("./", SCOPE).href;
const ASSETS = {{ assets | tojson }}.map((path) => new URL(path, self.location.origin).href);
const CACHE = "planner-personal-v2:" + SCOPE;
// Caches of this link that earlier workers kept (the hand-written worker before Workbox).
const OLD_CACHES = ["planner-personal-v1:" + SCOPE];

function withoutSearch(href) {
  const url = new URL(href);
  url.search = "";
  url.hash = "";
  return url.href;
}

const servedFromCache = {
  // The page is one entry, whatever query or fragment it was opened with.
  cacheKeyWillBeUsed: async ({ request }) => (withoutSearch(request.url) === PAGE ? PAGE : request),
  // Called only for an answer from the cache (the network failed): the page says so in data-served,
  // and personal.js shows the offline notice for data-served="cache".
  cachedResponseWillBeUsed: async ({ cachedResponse }) => {
    if (!cachedResponse || !(cachedResponse.headers.get("Content-Type") || "").startsWith("text/html")) {
      return cachedResponse;
    }
    const html = (await cachedResponse.text()).replace('data-served="network"', 'data-served="cache"');
    return new Response(html, {
      status: cachedResponse.status,
      statusText: cachedResponse.statusText,
      headers: cachedResponse.headers,
    });
  },
};

const networkFirst = new workbox.strategies.NetworkFirst({ cacheName: CACHE, plugins: [servedFromCache] });

// The link's own URLs (page, manifest, vCards) and the page's assets; nothing of any other page or host.
workbox.routing.registerRoute(
  ({ url }) => url.origin === self.location.origin && (url.href.startsWith(SCOPE) || ASSETS.includes(url.href)),
  networkFirst
);

// Warm the cache at install with the page and its assets, through the same strategy (and cache keys).
self.addEventListener("install", (event) => {
  const warmed = [PAGE, ...ASSETS].map((url) => networkFirst.handleAll({ event, request: new Request(url) })[1]);
  event.waitUntil(Promise.all(warmed).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(Promise.all(OLD_CACHES.map((name) => caches.delete(name))));
});
workbox.core.clientsClaim();
