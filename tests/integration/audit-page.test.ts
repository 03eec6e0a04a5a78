import Database from 'better-sqlite3'
import { expect, it } from 'vitest'
import { consoleErrors, expectNoAxeViolations, hydrated, REGION, screenshot, uncaughtErrors } from '../support/browser'
import { e2eSuite } from '../support/portal'

/** The widths the logbook must fit without scrolling sideways (WCAG 1.4.10; 320 is the criterion's). */
const WIDTHS = [1280, 375, 320] as const

/**
 * The logbook as sentences (issue 8) at 1280, 375 and 320 px: an opened raw record, a search by
 * keyboard and a refused date; axe finds nothing, the page is never wider than its viewport, and
 * the console stays clean. Then the page when the chain is broken: the verdict is announced (role=alert),
 * lists where and which check failed, the checkpoints stay visible, and axe finds nothing. The
 * e2e suite covers the intact state; this covers the state nobody should meet but must be able to read.
 */
e2eSuite('the logbook page in Chromium: sentences at three widths', (portal) => {
  const width = (page: Awaited<ReturnType<typeof portal.newPage>>) => page.evaluate(() => document.documentElement.scrollWidth)

  for (const w of WIDTHS) {
    it(`at ${w} px: sentences, an opened record, a search and a refused date pass axe and fit`, async () => {
      const page = await portal.newPage('regiocoordinator@samenspel.example')
      try {
        await page.setViewportSize({ width: w, height: 900 })
        await page.goto(`/regio/${REGION}/logboek`)
        await hydrated(page)
        const first = page.locator('tbody tr').first()
        expect(await first.innerText()).toMatch(/heeft|Het systeem/)
        await first.getByText('Vastgelegde gegevens').click()
        await first.locator('details[open] dl').waitFor()
        await expectNoAxeViolations(page, `logbook at ${w}`)
        expect(await width(page), `logbook wider than ${w}`).toBeLessThanOrEqual(w)
        if (w === 375) await screenshot(page, 'logboek-zinnen-375')

        // Search by keyboard: choose a group, then Enter on the button.
        await page.getByLabel('Wat').selectOption({ label: 'Leden en uitnodigingen' })
        await page.getByRole('button', { name: 'Zoeken' }).press('Enter')
        await page.waitForURL(/wat=members/)
        await page.getByText('Getoond: wat: Leden en uitnodigingen.').waitFor()
        const rows = await page.locator('tbody tr .audit-sentence').allInnerTexts()
        expect(rows.length).toBeGreaterThan(0)
        for (const r of rows) expect(r).toMatch(/toegevoegd|uitgenodigd|uitnodiging|rol van|verwijderd/)
        await expectNoAxeViolations(page, `filtered logbook at ${w}`)
        expect(await width(page)).toBeLessThanOrEqual(w)

        // A date the server refuses: the message at the field, in the summary, and axe still clean.
        const refused = await page.goto(`/regio/${REGION}/logboek?van=31-12-2026`)
        expect(refused?.status()).toBe(400)
        await hydrated(page)
        await page.getByRole('alert').filter({ hasText: 'Het formulier is niet verstuurd' }).waitFor()
        expect(await page.locator('#f-van-error').innerText()).toContain('Vul een geldige datum in.')
        await expectNoAxeViolations(page, `logbook with a refused date at ${w}`)
        expect(await width(page)).toBeLessThanOrEqual(w)
        if (w === 320) await screenshot(page, 'logboek-datum-fout-320')
        expect(uncaughtErrors(page)).toEqual([])
        expect(consoleErrors(page, 400)).toEqual([])
      } finally {
        await page.context().close()
      }
    })
  }

})

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
