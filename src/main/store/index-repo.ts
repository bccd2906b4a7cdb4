/**
 * index.json: settings, opened folders, tasks and their variations, and the heads of every batch,
 * analysis, skill, operation and verification (so listing them reads no other document).
 */
import type { Task, Variation } from '../../shared/runs'
import type { HeadStore } from './collection'
import type { JsonDocument } from './document'
import type { IndexData } from './schema'

/** index.json: settings, opened folders, tasks and variations; the heads of everything else. */
export class IndexRepo {
  constructor(private readonly doc: JsonDocument<IndexData>) {}

  get file() {
    return this.doc.file
  }
  settings(): Readonly<IndexData['settings']> {
    return this.doc.data.settings
  }
  setBaseUrl(baseUrl: string | undefined): Promise<void> {
    return this.doc.update((d) => void (d.settings.baseUrl = baseUrl))
  }
  openedFolders(): readonly string[] {
    return this.doc.data.openedFolders
  }
  /** Remember a folder the user opened (read-only: for this process only). */
  async addOpenedFolder(dir: string): Promise<boolean> {
    if (this.doc.data.openedFolders.includes(dir)) return false
    if (this.doc.readOnly) this.doc.patch((d) => void d.openedFolders.push(dir))
    else await this.doc.update((d) => void d.openedFolders.push(dir))
    return true
  }
  tasks(): Task[] {
    return Object.values(this.doc.data.tasks)
  }
  task(id: string): Task | undefined {
    return Object.hasOwn(this.doc.data.tasks, id) ? this.doc.data.tasks[id] : undefined
  }
  putTask(t: Task): Promise<void> {
    return this.doc.update((d) => void (d.tasks[t.id] = t))
  }
  deleteTask(id: string): Promise<void> {
    return this.doc.update((d) => {
      delete d.tasks[id]
      delete d.variations[id]
    })
  }
  variations(taskId: string): Variation[] {
    return Object.hasOwn(this.doc.data.variations, taskId) ? this.doc.data.variations[taskId] : []
  }
  setVariations(taskId: string, list: Variation[], updatedAt: string): Promise<void> {
    return this.doc.update((d) => {
      d.variations[taskId] = list
      if (Object.hasOwn(d.tasks, taskId)) d.tasks[taskId].updatedAt = updatedAt
    })
  }

  /** The heads of one collection, kept in this document. */
  heads<K extends 'batches' | 'analyses' | 'skills' | 'operations' | 'verifications' | 'rubrics' | 'graders' | 'pregrades' | 'triggers'>(
    field: K
  ): HeadStore<IndexData[K][string]> {
    return {
      all: () => this.doc.data[field] as Record<string, IndexData[K][string]>,
      set: async (id, head, coalesce) => {
        const change = (d: IndexData) => {
          const heads = d[field] as Record<string, unknown>
          if (head === null) delete heads[id]
          else heads[id] = head
        }
        if (coalesce || this.doc.readOnly) this.doc.patch(change)
        else await this.doc.update(change)
      }
    }
  }

  flush() {
    return this.doc.flush()
  }
}
