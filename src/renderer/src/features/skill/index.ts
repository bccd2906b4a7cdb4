/**
 * Step 4: the skill list and the SKILL.md composer (its state in useComposer; RuleCard, SkillPreview,
 * Versions, ExportPanel).
 */
export { SkillList, SkillPage } from './SkillList'
export { Composer } from './Composer'
export { SkillPreview } from './SkillPreview'
