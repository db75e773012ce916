// Runs the test files in an order shuffled by TEST_SHUFFLE_SEED (any text), so that a test that
// depends on what an earlier file left behind shows itself; without the variable, Jest's own order.
import Sequencer from '@jest/test-sequencer';

export default class ShuffledSequencer extends Sequencer {
  sort(tests) {
    const seed = process.env.TEST_SHUFFLE_SEED;
    if (!seed) return super.sort(tests);
    const random = mulberry32([...seed].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16_777_619), 2_166_136_261));
    // A fixed start (by code points, not the locale's collation) so the seed alone sets the order.
    const shuffled = [...tests].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (let index = shuffled.length - 1; index > 0; index--) {
      const other = Math.floor(random() * (index + 1));
      [shuffled[index], shuffled[other]] = [shuffled[other], shuffled[index]];
    }
    process.stderr.write(`Test files shuffled with TEST_SHUFFLE_SEED=${seed}\n`);
    return shuffled;
  }
}

/** A small seeded generator: the same seed gives the same order on every machine. */
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}
