/**
 * A small word-overlap measure: how well a skill's name and description match a prompt, as a rough
 * stand-in for the model's choice when it is only shown the list of skills. Used to name the other
 * installed skills that compete for a skill's queries (rivals.ts) before anything is measured. Terms:
 * runs of letters or digits of 3 or more, lower-cased, less common words, with a plain English ending
 * taken off (pages -> page, style, styled and styling -> styl), so a word and its forms count once.
 */

const COMMON = new Set(
  (
    'the and for are but not you your yours with this that these those from into onto over under than then there here ' +
    'what when where which while who whom whose why how all any each every some such only own same other more most ' +
    'can could should would will shall may might must have has had was were been being does did done doing get gets got ' +
    'make makes made use uses used using need needs want wants like just also very too out off about again please thanks ' +
    'its our ours their them they she him her his one two new way ask asks task tasks skill skills'
  ).split(' ')
)

/** A word without its plain English ending (pages -> page, stories -> story, style, styled and styling -> styl). */
function stem(word: string): string {
  let w = word
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`
  else if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3)
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2)
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1)
  return w.length > 4 && w.endsWith('e') ? w.slice(0, -1) : w
}

/** The terms of a text (each once). */
export function termsOf(text: string): Set<string> {
  const out = new Set<string>()
  for (const w of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w.length >= 3 && !COMMON.has(w)) out.add(stem(w))
  return out
}

/** How many of a prompt's terms a skill's terms hold (its name's and its description's). */
export function matchOf(skillTerms: Set<string>, prompt: string): number {
  let n = 0
  for (const t of termsOf(prompt)) if (skillTerms.has(t)) n++
  return n
}

/** A skill's terms as Claude Code lists it: its name (words between hyphens) and its description. */
export const skillTerms = (name: string, description: string) => termsOf(`${name.replace(/[-_]/g, ' ')} ${description}`)
