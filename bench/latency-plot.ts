import type { OrderRun } from './place-orders.ts';

/** A small SVG: time to final status (p50 and p99) against the offered order rate. */
export function latencyPlot(runs: OrderRun[]): string {
  const points = runs.filter((run) => typeof run.offeredPerSecond === 'number');
  const [width, height, margin] = [640, 360, 50];
  const maxRate = Math.max(...points.map((run) => Number(run.offeredPerSecond)));
  const maxMs = Math.max(...points.map((run) => run.toFinalP99Ms)) * 1.1;
  const x = (rate: number) => margin + (rate / maxRate) * (width - 2 * margin);
  const y = (ms: number) => height - margin - (ms / maxMs) * (height - 2 * margin);
  const line = (pick: (run: OrderRun) => number, color: string, label: string) =>
    `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((run) => `${x(Number(run.offeredPerSecond))},${y(pick(run))}`).join(' ')}"/>` +
    points.map((run) => `<circle cx="${x(Number(run.offeredPerSecond))}" cy="${y(pick(run))}" r="3" fill="${color}"/>`).join('') +
    `<text x="${width - margin - 120}" y="${color === '#2952cc' ? margin : margin + 18}" fill="${color}">${label}</text>`;
  const ticks = points
    .map((run) => `<text x="${x(Number(run.offeredPerSecond))}" y="${height - margin + 18}" text-anchor="middle">${run.offeredPerSecond}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<line x1="${margin}" y1="${height - margin}" x2="${width - margin}" y2="${height - margin}" stroke="#333"/>
<line x1="${margin}" y1="${margin}" x2="${margin}" y2="${height - margin}" stroke="#333"/>
<text x="${width / 2}" y="${height - 10}" text-anchor="middle">offered orders per second</text>
<text x="15" y="${height / 2}" transform="rotate(-90 15 ${height / 2})" text-anchor="middle">ms from POST to final status</text>
<text x="${margin - 6}" y="${y(0)}" text-anchor="end">0</text>
<text x="${margin - 6}" y="${y(maxMs / 1.1) + 4}" text-anchor="end">${Math.round(maxMs / 1.1)}</text>
${ticks}
${line((run) => run.toFinalP50Ms, '#2952cc', 'p50')}
${line((run) => run.toFinalP99Ms, '#b3261e', 'p99')}
</svg>
`;
}
