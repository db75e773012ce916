// A bench that measured the wrong thing must not print a figure: a phase in which the system said
// no (a 401 from a token it does not accept, say) still "completes" in autocannon, and its
// averages and ratios come out as confident numbers, or as NaN; a figure that
// cannot be negative and is (a CPU time that lost processes, say) was measured wrongly.

/** Throws unless every request of a measured phase got a 2xx answer. */
export function requireAllSucceeded(phase: string, load: { requests: { total: number }; non2xx: number; errors: number; timeouts: number }): void {
  const failed = load.non2xx + load.errors + load.timeouts;
  if (load.requests.total === 0 || failed > 0) {
    throw new Error(
      `${phase}: ${failed} of ${load.requests.total} requests failed (${load.non2xx} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts); its figures would mean nothing`,
    );
  }
}

/**
 * Throws, naming the first offender, unless every number in `figures` (at any depth) is finite and
 * not negative: each is a rate, latency, count, CPU time or memory, none of which can be below zero.
 */
export function requireSaneFigures(figures: unknown, path = 'results'): void {
  if (typeof figures === 'number') {
    if (!Number.isFinite(figures)) throw new Error(`${path} is ${figures}: the bench measured nothing there`);
    if (figures < 0) throw new Error(`${path} is ${figures}: no figure of the bench can be negative, so it measured wrongly there`);
  } else if (figures && typeof figures === 'object') {
    for (const [key, value] of Object.entries(figures)) requireSaneFigures(value, `${path}.${key}`);
  }
}
