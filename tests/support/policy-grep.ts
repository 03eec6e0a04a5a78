import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { documentKinds, organisationKinds, roles } from '../../db/schema'

/**
 * The policy boundary (issue 8, ADR 0017): who may do what is decided in server/policy and nowhere
 * else. This scanner finds the comparisons that decide it elsewhere: a role, an organisation kind or
 * a document kind compared with `===`/`!==`/`case`, a role held in a set (`roles.has(`), or a role
 * looked up in a list (`.includes(role)`). It reads server/ and app/ as text, leaving out the policy
 * itself, tests, the schema (where the values are declared), the i18n dictionaries (labels per value)
 * and the seed (demo content). Run it on its own with `npx tsx tests/support/policy-grep.ts`: it
 * prints file:line for each finding and exits 1 when there is any.
 *
 * A module may keep a true invariant (such as "the last administrator stays"); such a line says so
 * with a comment `policy-boundary: invariant (reason)` on it or on the line above, and is not flagged.
 */
export interface Finding {
  file: string
  line: number
  text: string
  rule: string
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export const SCANNED = ['server', 'app']
/** Where the values may be compared: the policy, the declarations, the labels, the demo content, tests. */
export const EXCLUDED = [/^server\/policy\//, /\.test\.tsx?$/, /^db\/schema\.ts$/, /^app\/i18n\//, /^db\/seed\.ts$/, /(^|\/)content\//]

/** 'other' and 'panel' are common words too: they count only where a kind is compared (the third rule). */
const GENERIC = new Set(['other', 'panel'])
const values = [...new Set<string>([...roles, ...organisationKinds, ...documentKinds])].filter((v) => !GENERIC.has(v))
const literal = `'(?:${values.join('|')})'`
const anyValue = `'(?:${[...values, ...GENERIC].join('|')})'`
const op = '[!=]==?'
/** an identifier that names a role or an organisation's or document's kind: role, m.role, organisationKind, newRole … */
const roleish = String.raw`[\w$.]*(?:[rR]ole|organisation_?[kK]ind)\b`
const kindish = String.raw`[\w$.]*[kK]ind\b`

const RULES: Array<{ rule: string; re: RegExp }> = [
  { rule: 'compares with a role or kind value', re: new RegExp(`${op}\\s*${literal}|${literal}\\s*${op}`) },
  { rule: 'switches on a role or kind value', re: new RegExp(`\\bcase\\s+${literal}\\s*:`) },
  { rule: 'compares a role or organisation kind', re: new RegExp(`\\b${roleish}\\s*${op}(?!=)|${op}\\s*${roleish}`) },
  { rule: 'compares a kind with a kind value', re: new RegExp(`\\b${kindish}\\s*${op}\\s*${anyValue}`) },
  { rule: 'asks a set of roles', re: /\broles\w*\.has\(/i },
  { rule: 'looks a role or kind up in a list', re: new RegExp(`\\.(?:includes|indexOf|has)\\(\\s*(?:${literal}|${roleish}\\s*\\))`) },
  // (A query for the documents of a kind is data, not a decision: only roles count here.)
  { rule: 'filters a query on a role', re: new RegExp(`\\.where\\(\\s*'[\\w.]*role'\\s*,\\s*'(?:=|!=|<>|in|not in)'\\s*,\\s*(?:${anyValue}|\\[)`) },
  { rule: 'keeps a table per role, kind or permission', re: /\b(?:Record|Map)<\s*(?:Role|OrganisationKind|DocumentKind|Permission)\s*,/ },
  { rule: 'lists role or kind values to look one up', re: new RegExp(`\\[\\s*${literal}(?:\\s*,\\s*${literal})*\\s*\\]\\s*\\.(?:includes|indexOf|some)\\(`) },
]

const INVARIANT = /policy-boundary: invariant/

/** The findings in one file's text (exported for the scanner's own tests). */
export function scanText(file: string, text: string): Finding[] {
  const findings: Finding[] = []
  const lines = text.split('\n')
  lines.forEach((raw, i) => {
    // (A `typeof x.role === 'string'` checks a type, not a role.)
    const code = raw.replace(/\/\/.*$/, '').replace(/typeof\s+[\w$.]+\s*[!=]==?\s*'\w+'/g, '').trim()
    if (code === '' || code.startsWith('*') || code.startsWith('/*')) return
    if (INVARIANT.test(raw) || INVARIANT.test(lines[i - 1] ?? '')) return
    const hit = RULES.find((r) => r.re.test(code))
    if (hit) findings.push({ file, line: i + 1, text: raw.trim(), rule: hit.rule })
  })
  return findings
}

function walk(dir: string, out: string[]) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) walk(full, out)
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(full)
  }
}

/** Every comparison outside the policy in the tree at `base` (the repository by default). */
export function policyComparisons(base = root): Finding[] {
  const files: string[] = []
  for (const dir of SCANNED) walk(path.join(base, dir), files)
  return files
    .map((f) => path.relative(base, f).split(path.sep).join('/'))
    .filter((rel) => !EXCLUDED.some((re) => re.test(rel)))
    .sort()
    .flatMap((rel) => scanText(rel, fs.readFileSync(path.join(base, rel), 'utf8')))
}

export function formatFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.file}:${f.line}: ${f.rule}: ${f.text}`).join('\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const findings = policyComparisons()
  if (findings.length > 0) {
    console.error(`${findings.length} role or kind comparisons outside server/policy:\n${formatFindings(findings)}`)
    process.exit(1)
  }
  console.log('no role or kind comparisons outside server/policy')
}
