/**
 * The analysis page's small formatters: how much a step of fitting the evidence cut, and finding
 * the file an analyst pointed to among a run's files (however the analyst named its path).
 */
import { describe, expect, it } from 'vitest'
import { fmtCutAmount, fmtWindow, matchOutputFile } from '../../src/renderer/src/lib/format'

describe('fmtCutAmount', () => {
  it('says each unit in words', () => {
    expect(fmtCutAmount(48_200, 'chars')).toBe('48k characters')
    expect(fmtCutAmount(1, 'chars')).toBe('1 character')
    expect(fmtCutAmount(37, 'steps')).toBe('37 steps')
    expect(fmtCutAmount(1, 'images')).toBe('1 screenshot')
    expect(fmtCutAmount(4100, 'image-tokens')).toBe('4.1k image tokens')
  })
})

describe('matchOutputFile', () => {
  const files = [{ path: 'index.html' }, { path: 'src/index.html' }, { path: 'outputs/report.md' }]
  it('finds the path as recorded, as claude -p names it in the evidence folder, or with ./', () => {
    expect(matchOutputFile(files, 'src/index.html')?.path).toBe('src/index.html')
    expect(matchOutputFile(files, 'index.html')?.path).toBe('index.html')
    expect(matchOutputFile(files, './src/index.html')?.path).toBe('src/index.html')
    expect(matchOutputFile(files, 'runs/03/outputs/src/index.html')?.path).toBe('src/index.html')
    expect(matchOutputFile(files, 'outputs/report.md')?.path).toBe('outputs/report.md')
  })
  it('finds nothing for a file the run does not have', () => {
    expect(matchOutputFile(files, 'gone.html')).toBeUndefined()
    expect(matchOutputFile(files, 'x/index.htm')).toBeUndefined()
  })
})

describe('fmtWindow', () => {
  it('says a window without trailing zeros', () => {
    expect(fmtWindow(200_000)).toBe('200k')
    expect(fmtWindow(1_000_000)).toBe('1M')
    expect(fmtWindow(1_500_000)).toBe('1.5M')
    expect(fmtWindow(8192)).toBe('8.2k')
  })
})
