import { expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { expectNoAxeViolations, hydrated, REGION, screenshot, visitChecked } from '../support/browser'
import { e2eSuite } from '../support/portal'

/**
 * axe (WCAG 2.0/2.1 A and AA) on every page, in the states people meet: empty, with form errors,
 * after an action, in English, and the error pages. Screenshots of the main pages for review.
 */
e2eSuite('e2e: accessibility of every page', (portal) => {
  const base = `/regio/${REGION}`

  /** Submits the form that holds `button` with whatever is (not) filled in and waits for the error summary. */
  async function submitEmpty(page: Page, button: string) {
    await page.getByRole('button', { name: button, exact: true }).click()
    await page.getByRole('alert').filter({ hasText: 'Het formulier is niet verstuurd' }).waitFor()
    expect(await page.locator('[aria-invalid="true"]').count()).toBeGreaterThan(0)
  }

  it('the login page: empty, with field errors, with a wrong password', async () => {
    await portal.withPage(undefined, async (page) => {
      await visitChecked(page, '/inloggen', 'login')
      await screenshot(page, 'login')
      await submitEmpty(page, 'Inloggen')
      // Each error is tied to its field.
      const email = page.getByLabel('E-mailadres')
      expect(await email.getAttribute('aria-describedby')).toBe('f-email-error')
      expect(await page.locator('#f-email-error').innerText()).toContain('Vul dit veld in.')
      await expectNoAxeViolations(page, 'login with errors')
      await screenshot(page, 'login-errors')
      await email.fill('aanbieder@samenspel.example')
      await page.getByLabel('Wachtwoord').fill('fout-wachtwoord')
      await page.getByRole('button', { name: 'Inloggen', exact: true }).click()
      await page.getByRole('alert').filter({ hasText: 'kennen we niet' }).waitFor()
      await expectNoAxeViolations(page, 'login with wrong password')
    })
  })

  it('the panel code page: code step, errors, unknown code, name step, waiting for consent', async () => {
    const code = await portal.withPage('regiocoordinator@samenspel.example', async (page) => {
      await visitChecked(page, `${base}/panels`, 'panels')
      await page.getByLabel('Jonger dan 16').check()
      await page.getByRole('button', { name: 'Code maken' }).click()
      const code = (await page.getByTestId('panel-code').innerText()).trim()
      await expectNoAxeViolations(page, 'panels with a new code')
      await screenshot(page, 'panels')
      return code
    })
    await portal.withPage(undefined, async (page) => {
      await visitChecked(page, '/panelcode', 'panel code')
      await submitEmpty(page, 'Verder')
      await expectNoAxeViolations(page, 'panel code with errors')
      await page.getByLabel('Je code').fill('AAAA-BBBB-CCCC')
      await page.getByRole('button', { name: 'Verder' }).click()
      await page.getByRole('alert').filter({ hasText: 'Deze code werkt niet' }).waitFor()
      await expectNoAxeViolations(page, 'panel code unknown')
      await page.getByLabel('Je code').fill(code)
      await page.getByRole('button', { name: 'Verder' }).click()
      // Under 16: a choice of safe names (ADR 0012), with an error when none is chosen.
      const names = page.getByRole('group', { name: 'Kies je naam' })
      await names.waitFor()
      await expectNoAxeViolations(page, 'panel code name step')
      await page.getByRole('button', { name: 'Verder' }).click()
      await page.getByText('Kies een van de namen uit de lijst.').waitFor()
      await expectNoAxeViolations(page, 'panel code name step with an error')
      await page.getByRole('group', { name: 'Kies je naam' }).getByRole('radio').first().check()
      await page.getByRole('button', { name: 'Verder' }).click()
      await page.getByRole('heading', { name: 'Even wachten op toestemming' }).waitFor()
      await expectNoAxeViolations(page, 'waiting for consent')
    })
  })

  it('an invitation: open, with errors, used, and unknown', async () => {
    const link = await portal.withPage('regiocoordinator@samenspel.example', async (page) => {
      await visitChecked(page, `${base}/beheer/uitnodigingen`, 'admin: invitations')
      await submitEmpty(page, 'Uitnodigen')
      await expectNoAxeViolations(page, 'admin: invitations with errors')
      await page.getByLabel('E-mailadres').fill('toegankelijk@samenspel.example')
      await page.getByRole('button', { name: 'Uitnodigen' }).click()
      const link = (await page.locator('code.invite-link').innerText()).trim()
      await expectNoAxeViolations(page, 'admin: invitations with a new link')
      return link
    })
    const path = new URL(link).pathname
    await portal.withPage(undefined, async (page) => {
      await visitChecked(page, path, 'invitation open')
      await submitEmpty(page, 'Uitnodiging aannemen')
      await expectNoAxeViolations(page, 'invitation with errors')
      await page.getByLabel('Uw naam').fill('Toegankelijk Getest')
      await page.getByLabel('Wachtwoord').fill('een lange zin als wachtwoord')
      await page.getByRole('button', { name: 'Uitnodiging aannemen' }).click()
      await page.waitForURL(`**${base}`)
      await visitChecked(page, path, 'invitation used', 410)
      expect(await page.getByRole('alert').innerText()).toContain('al gebruikt')
      await visitChecked(page, '/uitnodiging/bestaat-niet-0123456789abcdef', 'invitation unknown', 404)
      expect(await page.getByRole('alert').innerText()).toContain('kennen we niet')
    })
  })

  it('the start page and region home, for the admin and for a panel member', async () => {
    await portal.withPage('regiocoordinator@samenspel.example', async (page) => {
      await visitChecked(page, '/', 'start: choose a region')
      await visitChecked(page, base, 'region home (admin)')
      await screenshot(page, 'region-home-admin')
      // The region switcher, opened.
      await page.locator('details.region-switcher summary').click()
      await expectNoAxeViolations(page, 'region home with the switcher open')
    })
    await portal.withPage('jongere@samenspel.example', async (page) => {
      await visitChecked(page, base, 'region home (panel member)')
      await screenshot(page, 'region-home-panel-member')
    })
  })

  it('every admin tab, empty and with form errors', async () => {
    await portal.withPage('regiocoordinator@samenspel.example', async (page) => {
      const beheer = await page.goto(`${base}/beheer`)
      expect(new URL(page.url()).pathname).toBe(`${base}/beheer/gemeenten`)
      expect(beheer?.status()).toBe(200)

      await visitChecked(page, `${base}/beheer/gemeenten`, 'admin: municipalities')
      await submitEmpty(page, 'Toevoegen')
      await expectNoAxeViolations(page, 'admin: municipalities with errors')
      // Editing one.
      await page.getByRole('link', { name: 'Wijzigen: Haarlem' }).click()
      await page.getByRole('heading', { name: 'Wijzigen: Haarlem' }).waitFor()
      await expectNoAxeViolations(page, 'admin: municipality edit')

      await visitChecked(page, `${base}/beheer/organisaties`, 'admin: organisations')
      await submitEmpty(page, 'Toevoegen')
      await expectNoAxeViolations(page, 'admin: organisations with errors')

      await visitChecked(page, `${base}/beheer/leden`, 'admin: members')
      await screenshot(page, 'beheer-leden')
      // A role change, and the refusal to demote the last admin of the other region is not reachable
      // here; the success notice is.
      // Only roles that fit the organisation are offered: the evaluator at the region's office becomes a civil servant.
      const row = page.getByRole('row').filter({ hasText: 'beoordelaar@samenspel.example' })
      await row.getByRole('combobox').selectOption('civil_servant')
      await row.getByRole('button', { name: 'Rol wijzigen' }).click()
      await page.getByRole('status').filter({ hasText: 'Opgeslagen.' }).waitFor()
      await expectNoAxeViolations(page, 'admin: members after a change')

      await visitChecked(page, `${base}/beheer/uitnodigingen`, 'admin: invitations')
    })
  })

  it('panels, the audit log after verifying, and the profile', async () => {
    await portal.withPage('regiocoordinator@samenspel.example', async (page) => {
      await visitChecked(page, `${base}/panels`, 'panels')
      await visitChecked(page, `${base}/logboek`, 'audit log')
      await page.getByRole('button', { name: 'Keten controleren' }).click()
      const ok = page.getByRole('status').filter({ hasText: 'De keten klopt' })
      await ok.waitFor()
      expect(await ok.innerText()).toMatch(/De keten klopt: [\d.]+ regels gecontroleerd\./)
      await expectNoAxeViolations(page, 'audit log verified')
      await screenshot(page, 'logboek')

      await visitChecked(page, '/profiel', 'profile')
      await screenshot(page, 'profiel')
      await page.getByRole('button', { name: 'Wachtwoord wijzigen' }).click()
      await page.getByRole('alert').filter({ hasText: 'Het formulier is niet verstuurd' }).waitFor()
      await expectNoAxeViolations(page, 'profile with errors')
    })
    await portal.withPage('ouder@samenspel.example', async (page) => {
      await visitChecked(page, '/profiel', 'profile (panel member)')
    })
    await portal.withPage('jongere@samenspel.example', async (page) => {
      await visitChecked(page, '/profiel', 'profile (panel member under 16: a choice of safe names)')
      await page.getByRole('group', { name: 'Kies je naam' }).getByRole('radio').nth(1).check()
      await page.getByRole('button', { name: 'Naam opslaan' }).click()
      await page.getByRole('status').filter({ hasText: 'Naam opgeslagen.' }).waitFor()
      await expectNoAxeViolations(page, 'profile (under 16) after choosing a name')
    })
  })

  it('the 404 and 403 pages', async () => {
    await portal.withPage(undefined, async (page) => {
      await visitChecked(page, '/bestaat-niet', '404 logged out', 404)
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Pagina niet gevonden')
    })
    await portal.withPage('aanbieder@samenspel.example', async (page) => {
      await visitChecked(page, '/bestaat-niet', '404 logged in', 404)
      await visitChecked(page, `${base}/beheer`, '403 provider on beheer', 403)
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Geen toegang')
      await visitChecked(page, '/regio/bestaat-niet', '404 unknown region', 404)
    })
  })

  it('English: the login page and region home, switched with the header button', async () => {
    await portal.withPage(undefined, async (page) => {
      await page.goto('/inloggen')
      await hydrated(page)
      await page.getByRole('button', { name: 'Switch to English' }).click()
      await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
      expect(await page.locator('html').getAttribute('lang')).toBe('en')
      expect(new URL(page.url()).pathname).toBe('/inloggen')
      await expectNoAxeViolations(page, 'login (English)')
      await screenshot(page, 'login-en')
      await page.getByRole('button', { name: 'Log in', exact: true }).click()
      await page.getByRole('alert').filter({ hasText: 'The form was not sent' }).waitFor()
      expect(await page.locator('#f-email-error').innerText()).toContain('Fill in this field.')
      await expectNoAxeViolations(page, 'login with errors (English)')
    })
    await portal.withPage('regiocoordinator@samenspel.example', async (page) => {
      await page.goto(base)
      await hydrated(page)
      await page.getByRole('button', { name: 'Switch to English' }).click()
      await page.getByRole('heading', { level: 2, name: 'What you can do here' }).waitFor()
      expect(await page.locator('html').getAttribute('lang')).toBe('en')
      expect(await page.getByRole('navigation', { name: 'Region menu' }).getByRole('link').allInnerTexts()).toEqual(
        expect.arrayContaining(['Home', 'Administration', 'Panels', 'Audit log']),
      )
      await expectNoAxeViolations(page, 'region home (English)')
      // And back to Dutch.
      await page.getByRole('button', { name: 'Wissel naar Nederlands' }).click()
      await page.getByRole('heading', { level: 2, name: 'Wat u hier kunt doen' }).waitFor()
      expect(await page.locator('html').getAttribute('lang')).toBe('nl')
    })
  })
})
