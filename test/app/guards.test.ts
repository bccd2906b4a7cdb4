import { describe, expect, it } from 'vitest'
import { isAllowedOrigin, isInside, isLoopbackHost, isSameOriginFetch, sameToken } from '../../src/main/app/guards'

describe('guards', () => {
  it('isInside accepts the folder and its children only', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true)
    expect(isInside('/a/b/c/d.jsonl', '/a/b')).toBe(true)
    expect(isInside('/a/bc', '/a/b')).toBe(false)
    expect(isInside('/a/b/../c', '/a/b')).toBe(false)
    expect(isInside('/a/b/..', '/a/b')).toBe(false)
    expect(isInside('/etc/passwd', '/a/b')).toBe(false)
    expect(isInside('/a/b/..hidden', '/a/b')).toBe(true)
  })
  it('loopback host must carry our port', () => {
    expect(isLoopbackHost('127.0.0.1:4000', 4000)).toBe(true)
    expect(isLoopbackHost('localhost:4000', 4000)).toBe(true)
    expect(isLoopbackHost('127.0.0.1:4001', 4000)).toBe(false)
    expect(isLoopbackHost('evil.example:4000', 4000)).toBe(false)
    expect(isLoopbackHost('127.0.0.1', 4000)).toBe(false)
    expect(isLoopbackHost(undefined, 4000)).toBe(false)
  })
  it('origin, when sent, must be ours', () => {
    expect(isAllowedOrigin(undefined, 4000)).toBe(true)
    expect(isAllowedOrigin('http://127.0.0.1:4000', 4000)).toBe(true)
    expect(isAllowedOrigin('http://evil.example', 4000)).toBe(false)
    expect(isAllowedOrigin('null', 4000)).toBe(false)
    expect(isAllowedOrigin('https://127.0.0.1:4000', 4000)).toBe(false)
  })
  it('fetch metadata, when sent, must say same-origin (another port is same-site)', () => {
    expect(isSameOriginFetch(undefined)).toBe(true)
    expect(isSameOriginFetch('same-origin')).toBe(true)
    expect(isSameOriginFetch('same-site')).toBe(false)
    expect(isSameOriginFetch('cross-site')).toBe(false)
    expect(isSameOriginFetch('none')).toBe(false)
    expect(isSameOriginFetch(['same-origin', 'cross-site'])).toBe(false)
  })
  it('sameToken compares whole tokens', () => {
    expect(sameToken('abc', 'abc')).toBe(true)
    expect(sameToken('abd', 'abc')).toBe(false)
    expect(sameToken('ab', 'abc')).toBe(false)
    expect(sameToken(null, 'abc')).toBe(false)
    expect(sameToken('', '')).toBe(true)
  })
})
