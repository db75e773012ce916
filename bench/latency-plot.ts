import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { OrderRun } from './place-orders.ts';

/**
 * Time to final status (p50, p95, p99) against the offered order rate, as SVG rendered without a
 * browser (Vega-Lite compiled to Vega), with bare Temporal's one-at-a-time latency as a reference
 * line and its burst ceiling as a vertical line on the rate axis.
 */
export async function latencyPlot(runs: OrderRun[], bare: { latencyP50Ms: number; ceilingPerSecond: number }): Promise<string> {
  const points = runs.flatMap((run) =>
    typeof run.offeredPerSecond === 'number'
      ? [
          { rate: run.offeredPerSecond, percentile: 'p50', ms: run.toFinalP50Ms },
          { rate: run.offeredPerSecond, percentile: 'p95', ms: run.toFinalP95Ms },
          { rate: run.offeredPerSecond, percentile: 'p99', ms: run.toFinalP99Ms },
        ]
      : [],
  );
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Order latency against the offered rate',
    width: 560,
    height: 320,
    background: 'white',
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'rate', type: 'quantitative', title: 'offered orders per second', axis: { grid: true } },
          y: { field: 'ms', type: 'quantitative', title: 'ms from POST to final status', axis: { grid: true } },
          color: { field: 'percentile', type: 'nominal', title: null },
        },
      },
      {
        data: { values: [{ ms: bare.latencyP50Ms, label: `bare Temporal p50 (${bare.latencyP50Ms} ms)` }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [6, 4], color: 'gray' }, encoding: { y: { field: 'ms', type: 'quantitative' } } },
          {
            mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: 'gray' },
            encoding: { y: { field: 'ms', type: 'quantitative' }, x: { datum: 0, type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
      {
        data: { values: [{ rate: bare.ceilingPerSecond, label: `bare Temporal ceiling (${bare.ceilingPerSecond}/s)` }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [2, 2], color: 'firebrick' }, encoding: { x: { field: 'rate', type: 'quantitative' } } },
          {
            mark: { type: 'text', angle: 270, align: 'right', dx: -4, dy: -6, color: 'firebrick' },
            encoding: { x: { field: 'rate', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
          },
        ],
      },
    ],
  };
  return new View(parse(compile(spec).spec), { renderer: 'none' }).toSVG();
}
