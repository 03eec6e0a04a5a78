import { Link } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { useT } from '../i18n/use'

export interface PanelHomeData {
  principlesOpen: boolean
  otherOpen: Array<{ id: string; title: string }>
  reactions: { total: number; answered: number }
  coordinator: { name: string; panel: string } | null
}

/**
 * The home of someone who is only a panel member in a region (issue 8, "Words"): plain Dutch (B1,
 * with "je"), only what they can do. What is open for their reaction, what happened with their
 * reactions, and who to ask.
 */
export function PanelHome({ slug, regionName, name, home }: { slug: string; regionName: string; name: string; home: PanelHomeData }) {
  const t = useT()
  const base = `/regio/${slug}`
  const nothingOpen = !home.principlesOpen && home.otherOpen.length === 0
  return (
    <div className="content" data-testid="panel-home">
      <Heading level={1}>{t('panelHome.title', { name })}</Heading>
      <Paragraph lead>{t('panelHome.intro', { region: regionName })}</Paragraph>

      <section aria-labelledby="panel-open">
        <Heading level={2} id="panel-open">
          {t('panelHome.openTitle')}
        </Heading>
        {nothingOpen ? <Paragraph>{t('panelHome.nothingOpen')}</Paragraph> : null}
        <ul className="tile-list">
          {home.principlesOpen ? (
            <li>
              <Link to={`${base}/principes`} className="tile">
                {t('panelHome.principles')}
              </Link>
            </li>
          ) : null}
          {home.otherOpen.map((d) => (
            <li key={d.id}>
              <Link to={`${base}/documenten/${d.id}`} className="tile">
                {t('panelHome.reactTo', { title: d.title })}
              </Link>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="panel-reactions">
        <Heading level={2} id="panel-reactions">
          {t('panelHome.reactionsTitle')}
        </Heading>
        <Paragraph>
          {home.reactions.total === 0
            ? t('panelHome.noReactions')
            : t('panelHome.reactionsCount', { total: home.reactions.total, answered: home.reactions.answered })}
        </Paragraph>
        <Paragraph>
          <Link to="/mijn-reacties">{t('panelHome.myReactions', { answered: home.reactions.answered })}</Link>
        </Paragraph>
      </section>

      <section aria-labelledby="panel-ask">
        <Heading level={2} id="panel-ask">
          {t('panelHome.askTitle')}
        </Heading>
        <Paragraph>
          {home.coordinator
            ? t('panelHome.askCoordinator', { name: home.coordinator.name, panel: home.coordinator.panel })
            : t('panelHome.askAnyone')}
        </Paragraph>
        <Paragraph>
          <Link to="/profiel">{t('panelHome.profile')}</Link>
        </Paragraph>
      </section>
    </div>
  )
}
