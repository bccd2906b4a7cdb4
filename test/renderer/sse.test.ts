import { describe, expect, it } from 'vitest'
import { sseParser, withoutToken } from '../../src/renderer/src/lib/sse'

describe('the web mode client', () => {
  it('reads server-sent events from chunks cut anywhere', () => {
    const got: string[] = []
    const feed = sseParser((d) => got.push(d))
    const text = ': connected\n\ndata: {"event":"a","payload":1}\n\n: ping\n\ndata: {"event":"b",\ndata: "payload":2}\r\n\r\ndata:x\n\n'
    for (const ch of text) feed(ch)
    expect(got).toEqual(['{"event":"a","payload":1}', '{"event":"b",\n"payload":2}', 'x'])
  })

  it('takes the token out of the address, keeping the rest', () => {
    expect(withoutToken('http://127.0.0.1:1/?token=abc#/project/p')).toBe('/#/project/p')
    expect(withoutToken('http://127.0.0.1:1/?a=1&token=abc&b=2#/x')).toBe('/?a=1&b=2#/x')
    expect(withoutToken('http://127.0.0.1:1/#/x')).toBe('http://127.0.0.1:1/#/x')
  })
})
