import { oneRunOf } from '../bench/mode.ts';

// The report sets the deposits' figures beside the saga's: both must be of one `npm run bench`,
// or a figure of today would stand beside one of a run long gone, under one heading.
test('figures of the parts of one run pass; of two runs, or of none stamped, they are refused, naming each run', () => {
  const run = '2026-11-26T10:00:00.000Z';
  expect(oneRunOf({ deposits: { run }, saga: { run } })).toEqual({ run });
  expect(oneRunOf({ deposits: { run }, saga: { run: '2026-11-26T11:00:00.000Z' } })).toEqual({
    notOfOneRun: 'not of one run (deposits: 2026-11-26T10:00:00.000Z; saga: 2026-11-26T11:00:00.000Z)',
  });
  expect(oneRunOf({ deposits: {}, saga: {} })).toEqual({ notOfOneRun: 'not of one run (deposits: no run stamped; saga: no run stamped)' });
});
