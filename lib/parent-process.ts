// A program started by a parent over IPC (the supervisor, or a test that starts the supervisor)
// tells it when it is ready, and ends when it is gone. Node does not replay a 'disconnect' to a
// listener added after the fact, and a send on a closed channel throws: both are handled here.

/** Tells the parent that this program is ready, if it has one and it is still there. */
export function tellParentReady(): void {
  if (process.send && process.connected) process.send({ ready: true }, () => undefined);
}

/** Calls `onGone` once the parent is gone, however it went, also if it went before this call. */
export function whenParentGone(onGone: () => void): void {
  if (!process.send) return;
  if (process.connected) process.once('disconnect', onGone);
  else onGone();
}
