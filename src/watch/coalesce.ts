// Runs a job one at a time: a call while it runs asks for one more run after it, however many
// calls came (a burst of commits is one catch-up, then one more for what came during it).

/**
 * Returns `trigger`: call it whenever the job should run. `job` failures go to `onError`; the
 * loop stops once `closed()` says so.
 */
export function coalesce(job: () => Promise<void>, onError: (error: Error) => void, closed: () => boolean): () => void {
  let running = false;
  let again = false;
  return () => {
    if (closed()) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    void (async () => {
      do {
        again = false;
        await job().catch((error: Error) => onError(error));
      } while (again && !closed());
    })().finally(() => {
      running = false;
    });
  };
}
