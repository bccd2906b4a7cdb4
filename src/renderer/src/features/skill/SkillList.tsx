import { Link } from '@tanstack/react-router'
import { useApi } from '../../data/queries'
import { fmtLocalTime } from '../../lib/format'
import { ErrorLine } from '../../components/ErrorLine'
import { Composer } from './Composer'

export function SkillList() {
  const list = useApi('listSkills', {})
  if (list.error) return <ErrorLine error={list.error.message} retry={() => void list.refetch()} />
  if (!list.data) return <div className="muted pad">Loading…</div>
  return (
    <section className="page" data-testid="skills">
      <h1>Skills</h1>
      {!list.data.length ? (
        <div className="empty">No skills yet. Grade a batch, then Analyse it: the analysts' rules become a skill here.</div>
      ) : null}
      {list.data.map((s) => (
        <Link key={s.id} className="card skill-link" to="/skill/$skillId" params={{ skillId: s.id }}>
          <strong>{s.frontMatter.name}</strong> <span className="muted">{s.frontMatter.description}</span>
          <div className="muted small">
            {s.rules.filter((r) => r.tier === 'core').length} core · {s.rules.filter((r) => r.tier === 'guidance').length} guidance ·{' '}
            {s.rules.filter((r) => r.tier === 'edge-case').length} edge cases · updated {fmtLocalTime(s.updatedAt)}
          </div>
        </Link>
      ))}
    </section>
  )
}

export function SkillPage({ skillId, rule }: { skillId: string; rule?: string }) {
  // the saved skill (its versions, its problems) from the cache; saves and restores update it there
  const loaded = useApi('getSkill', { skillId })
  if (loaded.error) return <ErrorLine error={loaded.error.message} retry={() => void loaded.refetch()} />
  if (!loaded.data) return <div className="muted pad">Loading…</div>
  return <Composer key={skillId} view={loaded.data} focusRule={rule} />
}
