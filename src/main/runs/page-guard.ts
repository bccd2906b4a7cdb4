/**
 * The page guard of the screenshot ports (src/main/runs/screenshots.ts): what reaches the network
 * without a request the filter sees is removed from every frame before the page's own scripts run.
 */

/**
 * The guard: plain JavaScript, run in every frame of an untrusted page before any of its own scripts
 * (as a function of one argument, the marker). It removes what reaches the network without a request
 * the filter sees: every WebRTC interface (RTCPeerConnection and the rest, so none can be rebuilt) and
 * WebTransport; and window.open (no popups, which only cost processes). Calling one of them throws
 * NotSupportedError and reports `<marker>webrtc <ice servers>` (or `webtransport <url>`,
 * `window.open <url>`) through the console.debug it kept, which the port lists as blocked. A page can
 * print such a line itself: that only adds an entry to its own list.
 *
 * Frames created by script (about:blank, srcdoc, data:, popups) get the guard too; workers have no
 * WebRTC, and WebTransport is also switched off in Chromium (`--disable-blink-features`, only exposed
 * in secure contexts anyway), while Chromium's WebRTC policy (above) holds if the guard is ever bypassed.
 */
export const PAGE_GUARD_SOURCE = `function (marker) {
  'use strict';
  var g = window, con = console, debug = console.debug, apply = Reflect.apply, S = String, DE = DOMException;
  var defineProperty = Object.defineProperty, names = Object.getOwnPropertyNames(g);
  function report(what) {
    try { apply(debug, con, [marker + S(what).slice(0, 500)]); } catch (e) {}
  }
  function iceServers(cfg) {
    var out = [];
    try {
      var servers = cfg && cfg.iceServers;
      for (var i = 0; servers && i < servers.length && i < 8; i++) {
        var u = servers[i] && servers[i].urls;
        if (typeof u === 'string') out.push(u);
        else for (var j = 0; u && j < u.length && j < 8; j++) out.push(S(u[j]));
      }
    } catch (e) {}
    return out.join(' ') || '(no servers)';
  }
  function define(name, value) {
    try { defineProperty(g, name, { value: value, writable: true, configurable: true, enumerable: false }); } catch (e) {}
  }
  function refuse(name, describe) {
    var f = function () {
      report(describe(arguments));
      throw new DE(name + ' is switched off while the page is screenshotted', 'NotSupportedError');
    };
    try { defineProperty(f, 'name', { value: name }); } catch (e) {}
    return f;
  }
  for (var k = 0; k < names.length; k++) {
    var n = names[k];
    if (!/^(webkit)?RTC|^WebTransport|^(TCP|UDP|TCPServer|Multicast)Socket$/.test(n)) continue;
    if (n === 'RTCPeerConnection' || n === 'webkitRTCPeerConnection') define(n, refuse(n, function (a) { return 'webrtc ' + iceServers(a[0]); }));
    else if (n === 'WebTransport') define(n, refuse(n, function (a) { return 'webtransport ' + S(a[0]); }));
    else {
      try { delete g[n]; } catch (e) {}
      if (n in g) define(n, undefined);
    }
  }
  define('open', function open(url) { report('window.open ' + (url === undefined ? '' : S(url))); return null; });
}`

/** The guard as a script for one page load (`context.addInitScript`). */
export function pageGuardScript(marker: string): string {
  return `(${PAGE_GUARD_SOURCE})(${JSON.stringify(marker)});`
}
