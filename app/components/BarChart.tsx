import { useFormat } from '../i18n/use'

/**
 * A horizontal bar chart in plain SVG, readable without JavaScript. The figures are also in the
 * accessible name of each bar and in a visually hidden table for screen readers.
 */
export function BarChart({ label, bars }: { label: string; bars: Array<{ label: string; value: number }> }) {
  const fmt = useFormat()
  const max = Math.max(1, ...bars.map((b) => b.value))
  const rowH = 28
  // Wide enough for the longest kind ("Samenwerkingsverband onderwijs"); narrower clips it at the left.
  const labelW = 260
  const width = 560
  const barW = width - labelW - 40
  return (
    <figure className="chart">
      <svg role="img" aria-label={label} viewBox={`0 0 ${width} ${bars.length * rowH + 8}`} width="100%">
        {bars.map((b, i) => (
          <g key={b.label} transform={`translate(0, ${i * rowH + 4})`}>
            <text x={labelW - 8} y={rowH / 2 + 5} textAnchor="end" className="chart__label">
              {b.label}
            </text>
            <rect x={labelW} y={4} width={Math.max(2, (b.value / max) * barW)} height={rowH - 10} className="chart__bar" rx={3} />
            <text x={labelW + (b.value / max) * barW + 6} y={rowH / 2 + 5} className="chart__value">
              {fmt.number(b.value)}
            </text>
          </g>
        ))}
      </svg>
      {/* Hidden in a <div>: a table ignores the 1px width of .visually-hidden and would widen a phone's page. */}
      <div className="visually-hidden">
        <table>
          <caption>{label}</caption>
          <tbody>
            {bars.map((b) => (
              <tr key={b.label}>
                <th scope="row">{b.label}</th>
                <td>{fmt.number(b.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  )
}
