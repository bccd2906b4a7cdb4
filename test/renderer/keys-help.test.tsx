// @vitest-environment jsdom
/**
 * The keys help lists exactly the shortcuts of the one registry (lib/hotkeys.tsx): the ones bound on
 * the page, then every other view's, each with the keys and words the registry gives it. And no
 * shortcut goes around the registry (no component listens to keys on its own).
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { emptyProgress, type Run } from '../../src/shared/runs'
import type { RequestOutput } from '../../src/shared/contract'
import { renderSkillMd } from '../../src/shared/skill-md'
import type { Skill } from '../../src/shared/skills'
import { GROUP_TITLES, keyLabels, SHORTCUTS, type Group, type ShortcutId } from '../../src/renderer/src/lib/hotkeys'
import { mockApi, renderApp } from './render-app'

const ALL = Object.keys(SHORTCUTS) as ShortcutId[]
const ofGroup = (g: Group) => ALL.filter((id) => SHORTCUTS[id].group === g)

const RUN: Run = {
  id: 'r1',
  batchId: 'b1',
  number: 1,
  prompt: 'Build a landing page.',
  repeat: 1,
  state: 'done',
  sessionId: 's1',
  progress: emptyProgress(),
  files: [],
  screenshots: [],
  imported: false
}

const SKILL: Skill = {
  id: 's1',
  batchIds: ['b1'],
  frontMatter: { name: 'landing-pages', description: 'Build landing pages.' },
  title: 'Landing pages',
  whenToUse: '',
  rules: [],
  conflicts: [],
  setAside: [],
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z'
}

function setup() {
  return mockApi({
    getBatch: () =>
      ({
        batch: { id: 'b1', name: 'Batch', createdAt: '', settings: {}, runIds: ['r1'] },
        runs: [RUN],
        status: {}
      }) as unknown as RequestOutput<'getBatch'>,
    getSignals: () => ({ runs: [], batch: { good: 0, bad: 0, ungraded: 1, signals: [] } }),
    saveFeedback: () => RUN,
    getSkill: () => ({ skill: SKILL, skillMd: renderSkillMd(SKILL), edgeCasesMd: '', versions: [], problems: [] }),
    listVerifications: () => []
  })
}

/** A row of the help as a person reads it: the keys, and what they do. */
const row = (tr: HTMLElement) => {
  const cells = (tr as HTMLTableRowElement).cells
  return { id: tr.getAttribute('data-shortcut'), keys: cells[0].textContent, what: cells[1].textContent }
}
const fromRegistry = (id: ShortcutId) => ({ id, keys: keyLabels(id).join(' / '), what: SHORTCUTS[id].what })

beforeEach(() => localStorage.clear())
afterEach(() => cleanup())

describe('the keys help', () => {
  it('in the deck: the deck keys bound now, then every other view, each as the registry defines it', async () => {
    setup()
    renderApp('/review/b1')
    const user = userEvent.setup()
    await screen.findByTestId('deck-run')
    await user.keyboard('?')
    const dialog = screen.getByRole('dialog', { name: 'Review keys' })

    const here = within(screen.getByTestId('help-here')).getAllByTestId('help-key').map(row)
    expect(here).toEqual(['app.help', ...ofGroup('deck')].map((id) => fromRegistry(id as ShortcutId)))

    // every other view's keys, under its title, from the same table
    const elsewhere = dialog.querySelectorAll<HTMLTableSectionElement>('.help-elsewhere tbody')
    const groups = (['sessions', 'trace', 'variations', 'composer', 'verify', 'triggers'] as Group[]).map((g) => ({
      title: GROUP_TITLES[g],
      rows: ofGroup(g).map(fromRegistry)
    }))
    expect(
      [...elsewhere].map((tb) => ({ title: tb.querySelector('th')!.textContent, rows: within(tb).getAllByTestId('help-key').map(row) }))
    ).toEqual(groups)

    // all of the registry is listed once, but the help's own Esc, which is on its Close button
    const listed = within(dialog)
      .getAllByTestId('help-key')
      .map((tr) => tr.getAttribute('data-shortcut'))
    expect(listed.slice().sort()).toEqual(ALL.filter((id) => id !== 'help.close').sort())
    expect(within(dialog).getByRole('button', { name: 'Close' }).textContent).toBe('Close Esc')
    // every table of the sheet declares the same two columns, so the keys line up from one group to the next
    const tables = [...dialog.querySelectorAll('table')]
    expect(tables.length).toBeGreaterThan(1)
    expect(tables.map((t) => [...t.querySelectorAll(':scope > colgroup > col')].map((c) => c.className))).toEqual(
      tables.map(() => ['help-keys-col', ''])
    )

    // while it is open the deck's keys do nothing; Esc closes it, and they work again
    await user.keyboard('g')
    expect(screen.getByTestId('graded-count').textContent).toBe('0 of 1 graded')
    await user.keyboard('{Escape}')
    expect(screen.queryByRole('dialog')).toBeNull()
    await user.keyboard('g')
    expect(screen.getByTestId('graded-count').textContent).toBe('1 of 1 graded')
  })

  it('in the composer: the composer keys bound now', async () => {
    setup()
    renderApp('/skill/s1')
    const user = userEvent.setup()
    await screen.findByTestId('skill')
    await user.keyboard('?')
    screen.getByRole('dialog', { name: 'Keyboard shortcuts' })
    const here = within(screen.getByTestId('help-here')).getAllByTestId('help-key').map(row)
    expect(here).toEqual(['app.help', ...ofGroup('composer')].map((id) => fromRegistry(id as ShortcutId)))
    await user.click(screen.getByRole('button', { name: 'Close' }))
    expect(screen.queryByRole('dialog')).toBeNull()
  })
})

async function sources(dir: string): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = []
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await sources(p)))
    else if (/\.tsx?$/.test(e.name)) out.push({ file: p, text: await readFile(p, 'utf8') })
  }
  return out
}

describe('one registry for the keys', () => {
  const root = join(__dirname, '../../src/renderer/src')

  it('no component listens to keys on its own: no keydown listener on the window or the document, no useHotkeys outside the registry', async () => {
    const found = (await sources(root)).flatMap(({ file, text }) =>
      [/addEventListener\(\s*['"`]key(down|up|press)/, /\bonkey(down|up|press)\s*=/, /\buseHotkeys\(/]
        .filter((re) => re.test(text) && !(re.source.includes('useHotkeys') && file.endsWith(join('lib', 'hotkeys.tsx'))))
        .map((re) => `${file.slice(root.length + 1)}: ${re.source}`)
    )
    expect(found).toEqual([])
  })

  it('every shortcut in the registry is bound by some view (the help lists no key that does nothing)', async () => {
    const all = (await sources(root)).map((s) => s.text).join('\n')
    // bound directly, or through an Undo toast (lib/undo.tsx binds the id it is given)
    const bound = new Set([...all.matchAll(/(?:useShortcut|useUndo)\(\s*'([^']+)'/g)].map((m) => m[1]))
    expect(ALL.filter((id) => !bound.has(id))).toEqual([])
    expect([...bound].filter((id) => !(id in SHORTCUTS))).toEqual([])
  })
})
