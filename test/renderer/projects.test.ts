import { describe, expect, it } from 'vitest'
import { groupRunFolders, runFoldersButton } from '../../src/renderer/src/lib/projects'
import type { Project } from '../../src/shared/trace'

const folder = (name: string, run?: Project['run'], lastActivity = '2026-01-01T00:00:00Z'): Project => ({
  id: `-data-workspaces-${name}`,
  dir: `/claude/projects/-data-workspaces-${name}`,
  cwd: `/data/workspaces/${name}`,
  sessions: 1,
  lastActivity,
  bytes: 10,
  opened: false,
  run
})

describe('run folders in the project list', () => {
  it('groups them by batch, named by task and batch, rows by run number and state', () => {
    const groups = groupRunFolders([
      folder('b1/run-3-aaaaaaaa', { batchId: 'b1', batch: 'Landing page #1', task: 'Landing page', number: 3, state: 'failed' }),
      folder('b1/run-1-bbbbbbbb', { batchId: 'b1', batch: 'Landing page #1', task: 'Landing page', number: 1, state: 'done' }),
      folder('b1/run-3-cccccccc', { batchId: 'b1', batch: 'Landing page #1', task: 'Landing page', number: 3, state: 'earlier attempt' }),
      folder('b2/run-1-dddddddd', { batchId: 'b2', batch: 'Sessions of x (2)', number: 1, state: 'done' }, '2026-02-01T00:00:00Z')
    ])
    // the batch with the latest activity first
    expect(groups.map((g) => g.name)).toEqual(['Sessions of x (2)', 'Landing page · Landing page #1'])
    expect(groups[1].rows.map((r) => r.label)).toEqual(['Run 1 (done)', 'Run 3 (failed)', 'Run 3 (earlier attempt)'])
  })

  it("a verification's folders (blind-<session>, once it is graded): by run number, an earlier attempt with no number last", () => {
    const v = { batchId: 'v1', batch: 'Verify landing-page v1 against no skill #1', task: 'Landing page' }
    const groups = groupRunFolders([
      folder('v1/blind-aaaaaaaa', { ...v, state: 'earlier attempt' }),
      folder('v1/blind-bbbbbbbb', { ...v, number: 2, state: 'done' }),
      folder('v1/blind-cccccccc', { ...v, number: 1, state: 'done' })
    ])
    expect(groups[0].rows.map((r) => r.label)).toEqual(['Run 1 (done)', 'Run 2 (done)', 'A run (earlier attempt)'])
  })

  it("names a batch that is gone by its id, and puts folders that are not a run's last", () => {
    const groups = groupRunFolders([
      folder('odd-folder'),
      folder('gone1234-5678/run-2-eeeeeeee', { batchId: 'gone1234-5678', number: 2 }, '2025-01-01T00:00:00Z')
    ])
    expect(groups.map((g) => g.name)).toEqual(['A batch no longer in the app (gone1234)', 'Other run folders'])
    expect(groups[0].rows.map((r) => r.label)).toEqual(['Run 2'])
    expect(groups[1].rows.map((r) => r.label)).toEqual(['odd-folder'])
  })
})

describe('the run folders button', () => {
  const run = (n: number, state = 'done') => ({ batchId: 'b1', batch: 'Landing page #1', task: 'Landing page', number: n, state })
  it("counts the runs' folders it shows, and names a retried run's earlier attempt apart", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => folder(`b1/run-${i + 1}-aaaa${i}`, run(i + 1)))
    expect(runFoldersButton(twenty)).toBe('20 run folders')
    expect(runFoldersButton([...twenty, folder('b1/run-4-old', run(4, 'earlier attempt'))])).toBe('20 run folders and 1 earlier attempt')
    expect(runFoldersButton([folder('b1/run-1-x', run(1)), folder('odd')])).toBe('2 run folders')
    expect(runFoldersButton([folder('b1/run-1-x', run(1))])).toBe('1 run folder')
  })
})
