/** verifications/<id>.json: a verification of a skill version (its runs are a batch of their own). */
import type { Verification } from '../../shared/verify'
import { Collection } from './collection'
import { DOC_SCHEMA } from './document'
import type { VerificationDoc, VerificationHead } from './schema'

export class VerificationsRepo extends Collection<VerificationDoc, VerificationHead> {
  /** The verifications of a skill (of one version of it), oldest first. */
  ofSkill(skillId: string, versionId?: string): string[] {
    return Object.entries(this.heads.all())
      .filter(([, h]) => h.skillId === skillId && (!versionId || h.versionId === versionId))
      .sort(([, a], [, b]) => a.createdAt.localeCompare(b.createdAt))
      .map(([id]) => id)
  }
  /** The verification whose runs are this batch's. */
  ofBatch(batchId: string): string | undefined {
    return Object.entries(this.heads.all()).find(([, h]) => h.batchId === batchId)?.[0]
  }
  async get(id: string): Promise<Verification | undefined> {
    return (await this.load(id))?.data.verification
  }
  /** Save the verification as it now is (a new one is created). */
  async put(v: Verification): Promise<void> {
    if (!this.has(v.id) && !this.peek(v.id)) await this.create(v.id, { schema: DOC_SCHEMA, verification: v })
    else await this.update(v.id, (d) => void (d.verification = v))
  }
}
