/** The usage text `--help` prints (and a missing command, on stderr): every command with its options. */
export const USAGE = `usage: trace2skill <command> [options]

The loop: run -> grade -> analyze -> export, then verify -> grade -> report -> deepen. <batch> and
<skill> are an id or an exact name (\`batches\` and \`skills\` list them); <verification> is an id
(\`verifications\` lists them), and wherever a <batch> goes, a verification's id means its batch.

sessions:
  projects [--json]                 every project Claude Code has sessions for
  sessions <project> [--json]       sessions of a project (its id, its folder, or its working directory)
  trace <session-id> [--project ID] [--json]
                                    the conversation: each prompt, the assistant's text, each tool call
                                    with its result's first lines (errors marked), sub-agents indented
                                    under their call (--json: the normalized trace, every event)
  index [--json]                    index every session of every project and print totals
  web [--port N]                    serve the app to a browser on 127.0.0.1 (prints the URL with its token)

step 1, run:
  variations --task <file> [--mix E,N,H,A] [--model M] [--out FILE] [--json]
                                    a task's variations written by a model, as the app writes them:
                                    --mix: how many easy, normal, hard and adversarial (default
                                    5,8,4,3); the numbered list run takes, on stdout or in a new FILE
                                    (--json, or FILE.json: JSON [{difficulty, prompt}]); needs
                                    ANTHROPIC_API_KEY
  run --task <file> [--variations <file> | --mix E,N,H,A] [--concurrency N] [--max-turns N] [--model M]
      [--claude PATH] [--preset sandboxed|accept-edits|full-access] [--allow-domain HOST ...]
      [--my-claude-settings] [--json]
                                    run a batch of claude -p headless; prints the batch's id, each run,
                                    where its results are and what to do next
                                    (task: JSON {name, text, templateDir?} or a text file; variations:
                                    JSON [{difficulty, prompt}] or a numbered list; without
                                    --variations, a model writes them first, as variations does, in
                                    the --mix given, and they are kept with the task and its batch;
                                    --model is the runs' model). --preset: sandboxed
                                    (default; refused where Claude Code's sandbox cannot work: then pass
                                    --preset accept-edits); --allow-domain: a host sandboxed runs may
                                    reach (repeatable; none by default); --my-claude-settings: runs load
                                    your own Claude Code settings (hooks, allow rules, MCP servers; off by
                                    default). A template's own .claude/settings*.json and .mcp.json never load
  batches [--json]                  every batch: id, name, runs by state, how many are graded
  batch <batch> [--json]            a batch's runs: state, grade, prompt, files, screenshots, final
                                    answer, workspace and session (what to grade them by)

step 2, grade:
  grade <batch> --file <file> [--json]
                                    grade runs from a text file, one line per run, e.g.
                                    "Run 2: bad - too many cards" (--file - reads standard input);
                                    all or nothing: every bad line is reported with its line number
  feedback <batch> [--json]         the batch's grades in that same format (feeds back into grade)
  rubric <batch> [--via api|claude-cli] [--model M] [--claude PATH] [--json]
                                    the task's rubric from the batch's good and bad sentences:
                                    checkable assertions, each with the runs it came from (a new
                                    version of the task's rubric; edit it in the app)
  grader <batch> [--via api|claude-cli] [--model M] [--claude PATH] [--folds N] [--estimate] [--json]
                                    how far a grader built from your sentences agrees with you, by
                                    cross-validation (default 5 folds): accuracy, Cohen's kappa, the
                                    confusion table, each disagreement with the grader's reasons, and
                                    whether to trust it (kappa >= 0.6, accuracy >= 80%, 10+ runs).
                                    Ctrl+C cancels. Exit 1 unless measured. --estimate: the cost first
  pregrade <batch> [--via api|claude-cli] [--model M] [--claude PATH] [--json]
                                    the grader grades the runs you have not, with the task's rubric;
                                    its grades are marked as the grader's until you confirm them (the
                                    deck, or grade); says how far it was measured to agree with you

steps 3 and 4, analyse and export:
  analyze <batch> [--via api|claude-cli] [--model M] [--merge-model M] [--claude PATH] [--mobile] [--estimate] [--json]
                                    four analysts over a batch's graded runs, merged into a skill;
                                    progress on stderr; Ctrl+C cancels. Exit 1 unless done.
                                    --mobile: show them the mobile screenshots too
                                    --estimate: what it would cost (the exact context, no model
                                    called, nothing written), then stop
  skills [--json]                   every skill: id, name, rules by tier, whether it can be exported
  skill <skill> [--json]            a skill's SKILL.md (--json: the skill, its files and versions)
  export <skill> <folder> [--dry-run] [--accept-flagged] [--json]
                                    write a skill into a project folder's .claude/;
                                    --dry-run prints what would be written and writes nothing;
                                    a skill with flagged texts (a command, a URL, a pipe into a
                                    shell, a credential, text copied from a run) is refused, each
                                    named with why, unless --accept-flagged

step 5, verify (does the skill make runs better?):
  verify <skill> [--version N] [--against none|N] [--variations fresh|batch|<file>] [--repeats N]
      [--concurrency N] [--max-turns N] [--model M] [--claude PATH] [--preset sandboxed|accept-edits|full-access]
      [--allow-domain HOST ...] [--budget USD] [--accept-flagged] [--json]
                                    run the same variations with version N (default: the newest) and
                                    without a skill (or with version N of --against), in one batch
                                    numbered at random; prints the estimate first, progress on stderr,
                                    then the verification's id, its batch and what to do next; Ctrl+C
                                    cancels. Exit 1 unless every run finished. A version with flagged
                                    texts is installed only with --accept-flagged.
                                    --variations: fresh ones written from the task (default; never the
                                    prompts it was learned from), batch (the analysed batch's own: not
                                    held out), or a file (a numbered list or JSON [{difficulty, prompt}]);
                                    --repeats: runs per variation per arm (1 to 10, default 2);
                                    --budget: a cap in US dollars per run. The other run settings are
                                    the learned batch's unless given
  candidates <batch> --n N [--grade person|auto] [--variations fresh|batch|<file>] [--repeats N] [--cap USD]
      [--via api|claude-cli] [--merge-model M] [run settings as verify] [--json]
  candidates --versions 2,3,4 --skill <skill> [the same options]
                                    the best of several candidates: build N versions from the batch's
                                    graded runs (or take existing versions), run each and no skill on
                                    the same variations in one blind batch, and print the table: pass
                                    rate with its 95% interval, the difference against no skill and
                                    between candidates (exact test), trigger rate, cost; and the one
                                    suggested by the paired test, or why none. --grade auto: the grader
                                    grades; person (default): grade them, then report <verification>.
                                    Refused over --cap (default $25) of estimated cost
  resume <verification> [--json]    run again what a stopped or cancelled verification did not finish
                                    (or write its variations again), and wait as verify does
  confirm <skill> [--version N] [--grade person|auto] [--per-rule N] [--cap N] [--concurrency N]
      [--max-turns N] [--model M] [--claude PATH] [--preset P] [--accept-flagged] [--json]
                                    confirm the rules of version N (default: the newest) drawn from bad
                                    runs: each re-run alone (the version's other rules installed, the
                                    other rules under test left out) on --per-rule of its failures
                                    (default 2) and a good variation, one blind batch; waits as verify
                                    does, then per rule: confirmed, unconfirmed, harmful (it broke a
                                    good variation) or pending, its runs and its text. Refused over
                                    --cap runs (default 40), naming the rules left
  triggers <skill> [--version N] [--repeats N] [--concurrency N] [--model M] [--claude PATH]
      [--preset sandboxed|accept-edits|full-access] [--cap USD] [--json]
                                    names its rivals first (a same-name skill in your skills folder or
                                    a project's that shadows it; installed skills whose descriptions
                                    compete for its queries), prints the estimate, then runs each
                                    trigger query (prompts that should load it and near misses that
                                    should not) x --repeats (default 3) through claude -p with only
                                    version N (default: the newest) installed, each run stopped at its
                                    decision; prints per query its rate, then recall and the
                                    false-trigger rate. Ctrl+C cancels. Exit 1 unless it finished.
                                    Refused over --cap (default $10) of estimated cost
  optimize <skill> [--version N] [--rounds N] [--repeats N] [--dry-run] [--cap USD]
      [--concurrency N] [--max-turns N] [--model M] [--claude PATH] [--preset P] [--json]
                                    a better description (whether Claude Code loads the skill): its
                                    trigger queries split 60/40 (fixed seed), version N's own
                                    description measured, then up to --rounds (default 5) proposed from
                                    the training queries' failures only, each measured on both splits
                                    (--repeats runs a query, default 3); prints recall and false-trigger
                                    rate per round on both, the one chosen by the held-out queries and
                                    why, and saves it as a new version (not with --dry-run). Refused
                                    over --cap (default $10) of estimated cost
  grade <verification> --file <file>
                                    grade its runs blind, by the deck's run numbers (as grade above)
  report <verification> [--json]    pass rate per arm with its 95% interval, the difference and its
                                    p-value, the pairs fixed and broken (both runs, each arm), by
                                    difficulty, cost, turns, tool errors and duration per arm, how often
                                    Claude Code loaded the skill, and warnings (--json: the whole view)
  verifications [<skill>] [--json]  every verification (of a skill): versions, where it is, pass rates
  explain <verification> [--via api|claude-cli] [--model M] [--claude PATH] [--json]
                                    for each pair fixed or broken: the rules the with-skill run followed
                                    or ignored, with where its trace shows it
  deepen <verification> [--via api|claude-cli] [--model M] [--merge-model M] [--claude PATH] [--json]
                                    the next version: its graded runs (both arms) analysed in deepen
                                    mode, as analyze does; prints the new version and how to verify it
  promote <skill> --version N [--json]
                                    version N (a candidate) becomes the skill, as a new version
                                    "promoted version N" (nothing is lost); already the skill: nothing saved

--json prints JSON on stdout; warnings and progress go to stderr. projects, sessions, trace, index,
variations, batches, batch, feedback, skills, skill, report and verifications only read: they work
beside the app or any other command.

environment: CLAUDE_CONFIG_DIR (default ~/.claude), TRACE2SKILL_DATA_DIR (the app's data folder),
  ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL (model access for analyze, deepen and explain --via api, and
  variations, run without --variations and verify's fresh variations)`
