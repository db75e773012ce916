/** The nearest-rank percentile of ascending `sorted`, in whole units; NaN when there is nothing (requireSaneFigures catches it). */
export const percentile = (sorted: number[], p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);
