import { describe, expect, it } from 'vitest'
import { formatFindings, policyComparisons, scanText } from './support/policy-grep'

/**
 * Issue 8: "no role or document-kind comparison outside server/policy (a grep in CI says so)".
 * The scanner is tested on lines it must flag and lines it must leave alone, then run on the tree.
 */
describe('the policy boundary scanner', () => {
  const flagged = (line: string) => scanText('server/modules/x/commands.ts', line).map((f) => f.rule)

  it.each([
    "if (m.role === 'region_admin') return",
    "if ('alderman' !== role) throw new Error()",
    "if (doc.kind === 'submission') return refuse('forbidden')",
    "const isPanel = organisation.kind == 'panel'",
    "case 'civil_servant':",
    'if (membership.role !== input.role) continue',
    'if (organisationKind === kind) return true',
    'const can = roles.has(x)',
    "const can = myRoles.has('evaluator')",
    'return allowed.includes(m.role)',
    "return ['alderman', 'region_admin'].includes(role)",
    ".where('memberships.role', '=', 'panel_member')",
    'const rank: Record<Role, number> = {}',
    'const rank: Record<Permission, number> = { none: 0, read: 1 }',
  ])('flags %s', (line) => {
    expect(flagged(line)).toHaveLength(1)
  })

  it.each([
    "if (notice.kind === 'update') relay()",
    "if (typeof u.role === 'string') roles.set(u.id, u.role)",
    "if (intent === 'other') return",
    "signedInAs === 'other'",
    "<div role={kind === 'error' ? 'alert' : 'status'}>",
    "// if (role === 'region_admin') is decided in the policy",
    " * kind === 'submission' in a comment",
    "if (!can(actor, 'edit', doc)) return refuse('forbidden')",
    ".where('kind', '=', 'principles')",
    "if (role !== 'region_admin') return // policy-boundary: invariant (the last administrator stays)",
  ])('leaves alone %s', (line) => {
    expect(flagged(line)).toEqual([])
  })

  it('leaves alone the line after an invariant comment, and says file and line of a finding', () => {
    const text = ['const a = 1', '// policy-boundary: invariant (the last administrator stays)', "if (role !== 'region_admin') return", "if (role === 'alderman') x()"].join('\n')
    expect(scanText('server/a.ts', text).map((f) => `${f.file}:${f.line}`)).toEqual(['server/a.ts:4'])
  })
})

describe('the policy boundary', () => {
  it('no role, organisation-kind or document-kind comparison in server/ or app/ outside server/policy', () => {
    const findings = policyComparisons()
    expect(findings, `move these decisions into server/policy (or mark a true invariant):\n${formatFindings(findings)}`).toEqual([])
  })
})
