import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { isBlankPng, playwrightScreenshots, pngSize } from '../../src/main/runs/screenshots'
import { LANDING_PAGE } from '../support/scenarios'

/** A solid-colour PNG, made by hand. */
function solidPng(w: number, h: number, rgb: [number, number, number]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (b: Buffer) => {
    let c = 0xffffffff
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const c = Buffer.alloc(4)
    c.writeUInt32BE(crc(td))
    return Buffer.concat([len, td, c])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8
  ihdr[9] = 2
  const raw = Buffer.alloc((w * 3 + 1) * h)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(rgb, y * (w * 3 + 1) + 1 + x * 3)
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

describe('screenshot port (playwright-core, Debian Chromium)', () => {
  const port = playwrightScreenshots()
  afterAll(() => port.close())
  const workspace = async (files: Record<string, string | Buffer>) => {
    const root = await mkdtemp(join(tmpdir(), 't2s-shot-'))
    for (const [name, body] of Object.entries(files)) {
      await mkdir(join(root, name, '..'), { recursive: true })
      await writeFile(join(root, name), body)
    }
    return root
  }

  it('renders a landing page at desktop and mobile widths, with its local files', async () => {
    const logo = solidPng(40, 40, [200, 30, 30])
    const root = await workspace({ 'index.html': LANDING_PAGE.replace('<h1>', '<img src="img/logo.png" alt="logo"><h1>'), 'img/logo.png': logo })
    const shots = await port.capture({ htmlFile: join(root, 'index.html'), root, outDir: join(root, '.shots'), name: 'home' })
    expect(shots.map((s) => [s.label, s.width])).toEqual([
      ['desktop', 1280],
      ['mobile', 390]
    ])
    for (const s of shots) {
      expect(s.error).toBeUndefined()
      const png = await readFile(s.file)
      expect(pngSize(png)).toEqual({ width: s.width, height: s.height })
      expect(s.height).toBeGreaterThan(200)
      expect(s.blank).toBe(false)
      expect(isBlankPng(png)).toBe(false)
      expect(s.blockedRequests).toEqual([])
    }
    // the narrow layout wraps the cards, so the mobile page is taller
    expect(shots[1].height).toBeGreaterThan(shots[0].height)
  }, 60_000)

  it('lets nothing leave the machine, and reads no file outside the workspace', async () => {
    let hits = 0
    const server = createServer((_req, res) => {
      hits++
      res.end('leak')
    })
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()))
    const p = (server.address() as AddressInfo).port
    const root = await workspace({
      'page.html': `<!doctype html><html><body style="background:#fff"><h1>Hello</h1>
        <script src="https://example.com/x.js"></script>
        <img src="http://10.0.0.1/a.png"><img src="http://127.0.0.1:${p}/pixel.png">
        <img src="file:///etc/hostname"><iframe src="../outside.html"></iframe>
        <link rel="stylesheet" href="http://localhost:${p}/s.css">
        <script>fetch('http://127.0.0.1:${p}/beacon').catch(()=>{}); try { new WebSocket('ws://127.0.0.1:${p}/ws') } catch (e) {}</script>
        </body></html>`
    })
    await writeFile(join(root, '..', 'outside.html'), '<h1>secret</h1>')
    const started = Date.now()
    const shots = await port.capture({ htmlFile: join(root, 'page.html'), root, outDir: join(root, '.shots'), name: 'p', timeoutMs: 5000 })
    await new Promise((r) => setTimeout(r, 300))
    server.close()
    expect(hits).toBe(0)
    expect(Date.now() - started).toBeLessThan(20_000)
    const blocked = shots[0].blockedRequests.join(' ')
    expect(blocked).toContain('https://example.com/x.js')
    expect(blocked).toContain('http://10.0.0.1/a.png')
    expect(blocked).toContain(`http://127.0.0.1:${p}/beacon`)
    expect(shots[0].error).toBeUndefined()
    expect(shots[0].blank).toBe(false)
  }, 60_000)

  it('cuts off a page that never finishes, on time, and keeps working afterwards', async () => {
    const root = await workspace({
      'loop.html': '<!doctype html><h1>loop</h1><script>setTimeout(() => { for (;;) {} }, 50)</script>',
      'hang.html': '<!doctype html><h1>hang</h1><img src="slow.png"><script>new Promise(() => {})</script>',
      'ok.html': LANDING_PAGE
    })
    const t0 = Date.now()
    const looped = await port.capture({ htmlFile: join(root, 'loop.html'), root, outDir: join(root, '.shots'), name: 'loop', timeoutMs: 3000, widths: [{ label: 'desktop', width: 1280 }] })
    expect(Date.now() - t0).toBeLessThan(3000 * 2 + 12_000)
    expect(looped[0].error ?? looped[0].file).toBeTruthy()
    const ok = await port.capture({ htmlFile: join(root, 'ok.html'), root, outDir: join(root, '.shots'), name: 'ok', timeoutMs: 5000 })
    expect(ok.every((s) => !s.error && !s.blank)).toBe(true)
  }, 90_000)

  it('refuses an HTML file outside its workspace', async () => {
    const root = await workspace({ 'a.html': '<h1>a</h1>' })
    const other = await workspace({ 'b.html': '<h1>b</h1>' })
    await expect(port.capture({ htmlFile: join(other, 'b.html'), root, outDir: root, name: 'x' })).rejects.toThrow(/outside its workspace/)
  })

  it('tells a blank PNG from a real one', () => {
    expect(isBlankPng(solidPng(30, 20, [255, 255, 255]))).toBe(true)
    const two = solidPng(30, 20, [255, 255, 255])
    expect(pngSize(two)).toEqual({ width: 30, height: 20 })
  })
})
