import Database from 'better-sqlite3'
import { expect, it } from 'vitest'
import { expectNoAxeViolations, hydrated, REGION, screenshot, uncaughtErrors } from '../support/browser'
import { e2eSuite } from '../support/portal'

/**
 * The logbook page in a browser when the chain is broken: the verdict is announced (role=alert),
 * lists where and which check failed, the checkpoints stay visible, and axe finds nothing. The
 * e2e suite covers the intact state; this covers the state nobody should meet but must be able to read.
 */
e2eSuite('the logbook page with a broken chain, in Chromium', (portal) => {
  it('says where the chain breaks, and passes axe', async () => {
    // Someone with the SQLite file re-attributes an entry of this region.
    const file = new Database(portal.server.databaseUrl.slice('sqlite:'.length))
    const region = file.prepare('select id from regions where slug = ?').get(REGION) as { id: string }
    const victim = file
      .prepare('select seq, action from audit_log where region_id = ? and actor_id is not null order by seq limit 1')
      .get(region.id) as { seq: number; action: string }
    file.exec('drop trigger audit_log_no_update')
    file.prepare("update audit_log set actor_id = 'someone-else' where seq = ?").run(victim.seq)
    file.close()

    await portal.withPage('regiocoordinator@samenspel.example', async (page) => {
      await page.goto(`/regio/${REGION}/logboek`)
      await hydrated(page)
      await page.getByRole('button', { name: 'Keten controleren' }).click()
      const alert = page.getByRole('alert').filter({ hasText: 'De keten is verbroken' })
      await alert.waitFor()
      const text = await alert.innerText()
      expect(text).toContain(`De keten is verbroken bij regel ${victim.seq}.`)
      expect(text).toContain(`${victim.action}): de inhoud past niet bij de handtekening; de regel is gewijzigd (controle: hash).`)
      await expect(page.getByRole('heading', { name: 'Controlepunten' }).isVisible()).resolves.toBe(true)
      await expectNoAxeViolations(page, 'audit log with a broken chain')
      expect(uncaughtErrors(page)).toEqual([])
      await screenshot(page, 'logboek-verbroken')
    })
  })
})
