// After every run, the ten slowest test files, so the suite's cost stays in view (CI prints it too).
export default class SlowestFilesReporter {
  onRunComplete(_contexts, results) {
    const root = process.cwd();
    const slowest = results.testResults
      .map((file) => ({ path: file.testFilePath.replace(`${root}/`, ''), seconds: (file.perfStats.end - file.perfStats.start) / 1000 }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 10);
    const lines = slowest.map(({ path, seconds }) => `  ${seconds.toFixed(1).padStart(6)} s  ${path}`);
    process.stderr.write(`\nThe ten slowest test files:\n${lines.join('\n')}\n`);
  }
}
