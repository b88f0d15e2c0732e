/* Service worker of one personal link (planner.personal): network first, the last good copy when the network fails.
 *
 * Plain code rather than Workbox: the whole job is one network-first route and
 * one cache, about forty lines, and Workbox's loader (workbox-sw) would fetch
 * its modules from a CDN unless configured otherwise, while the bundled
 * builds need a build step this project does not have. Its scope is the link
 * itself (this file is served under it), so it caches nothing of any other page.
 */
"use strict";

const CACHE = "planner-personal-v1:" + self.registration.scope;
const PAGE = new URL("./", self.registration.scope).href;
const ASSETS = {{ assets | tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll([PAGE, ...ASSETS])).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

// The cached page says so: personal.js shows the offline notice for data-served="cache".
async function fromCache(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true }) ||
    (request.mode === "navigate" ? await cache.match(PAGE) : undefined);
  if (!cached) {
    return Response.error();
  }
  if (!(cached.headers.get("Content-Type") || "").startsWith("text/html")) {
    return cached;
  }
  const html = (await cached.text()).replace('data-served="network"', 'data-served="cache"');
  return new Response(html, { status: cached.status, statusText: cached.statusText, headers: cached.headers });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(
    fetch(request).then(async (response) => {
      if (response.ok && response.type === "basic") {
        const cache = await caches.open(CACHE);
        await cache.put(request.mode === "navigate" ? PAGE : request, response.clone());
      }
      return response;
    }).catch(() => fromCache(request))
  );
});
