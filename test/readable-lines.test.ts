import { stripVTControlCharacters } from 'node:util';
import { readableLines } from '../supervisor/readable-lines.ts';

const readable = readableLines();

test("a program's JSON line reads, on a terminal, as one short coloured line with the order's and the request's ids", () => {
  const json = {
    level: 30,
    time: Date.UTC(2026, 0, 2, 3, 4, 5),
    pid: 7,
    hostname: 'box',
    name: 'payments-worker',
    workflowId: 'payment-o-1',
    taskToken: 'Q2lRd01XRXlNVFZtWlMwd1pXRm',
    orderId: 'o-1',
    requestId: 'r-1',
    outcome: 'PAID',
    msg: 'debit decided',
  };
  const line = readable(`payments-worker| ${JSON.stringify(json)}`);
  expect(line).not.toContain('\n');
  expect(stripVTControlCharacters(line)).not.toBe(line);
  expect(stripVTControlCharacters(line)).toMatch(/^payments-worker\| \[\d\d:\d\d:05\.000\] INFO: debit decided \{"orderId":"o-1","requestId":"r-1","outcome":"PAID"\}$/);
});

test('any other line is left as it is', () => {
  for (const line of ['supervisor     | starting orders: waiting for port 1 says it is ready', 'temporal       | time=... level=WARN msg="x"', 'orders         | {not json', '  The shop is up.']) {
    expect(readable(line)).toBe(line);
  }
});
