/** sessions.json: the pinned sessions and the archive of sessions kept by the app. */
import type { JsonDocument } from './document'
import type { ArchiveEntry, Pin, SessionsData } from './schema'

export class SessionsRepo {
  constructor(private readonly doc: JsonDocument<SessionsData>) {}

  get file() {
    return this.doc.file
  }
  pin(sessionId: string): Pin | undefined {
    return Object.hasOwn(this.doc.data.pins, sessionId) ? this.doc.data.pins[sessionId] : undefined
  }
  pins(): Pin[] {
    return Object.values(this.doc.data.pins)
  }
  setPin(pin: Pin): Promise<void> {
    return this.doc.update((d) => void (d.pins[pin.sessionId] = pin))
  }
  unpin(sessionId: string): Promise<void> {
    return this.doc.update((d) => void delete d.pins[sessionId])
  }
  archive(sessionId: string): ArchiveEntry | undefined {
    return Object.hasOwn(this.doc.data.archives, sessionId) ? this.doc.data.archives[sessionId] : undefined
  }
  archives(): ArchiveEntry[] {
    return Object.values(this.doc.data.archives)
  }
  putArchive(entry: ArchiveEntry): Promise<void> {
    return this.doc.update((d) => void (d.archives[entry.sessionId] = entry))
  }
  deleteArchive(sessionId: string): Promise<void> {
    return this.doc.update((d) => void delete d.archives[sessionId])
  }
  flush() {
    return this.doc.flush()
  }
}
