// Saekdam's service worker: the app shell works offline, and nothing else is touched.
// Served at /sw.js by app/web/pwa.py, which puts `VERSION`, `SHELL` (the shell's content-hashed static URLs)
// and `OFFLINE_URL` above this line. Static files under hashed names never change, so they are answered
// from the cache; page loads go to the network and fall back to the offline page. Everything else (the
// API, live event streams, signed file URLs, form posts) is never intercepted.
"use strict";
const CACHE = "saekdam-shell-" + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll([...SHELL, OFFLINE_URL]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("saekdam-shell-") && key !== CACHE).map((key) => caches.delete(key)),
      ))
      .then(() => self.clients.claim()),
  );
});

const NEVER = ["/api/", "/files/", "/admin", "/schema", "/metrics", "/ops"];

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.open(CACHE).then((cache) => cache.match(request)).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.open(CACHE).then((cache) => cache.match(OFFLINE_URL))));
  }
});

// issue 20: a tap on "your mural is ready" (notify.js shows it while the page is in the background) brings the
// task's page forward, or opens it when it was closed meanwhile.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const path = (event.notification.data && event.notification.data.url) || "/murals";
  const target = new URL(path, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url === target);
      return open ? open.focus() : self.clients.openWindow(target);
    }),
  );
});
