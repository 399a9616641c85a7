// One (re)start of the language server at a time. The first start can take minutes (it builds
// the server's virtual environment), and settings changes, trust grants, interpreter and
// folder changes and the Restart command can all ask for a restart meanwhile: a second server
// must not start beside the first, nor may a stop cut the build short. Requests made while a
// run is in progress therefore wait for it, and coalesce into a single run after it. Free of
// `vscode` so that it can be tested without an editor.

export class RestartQueue {
  /** The last run scheduled: the next one starts when it has settled. */
  private tail: Promise<void> = Promise.resolve();
  /** A run scheduled but not started yet, which later requests join. */
  private queued: Promise<void> | undefined;
  private closed = false;

  /**
   * @param run stops the server if it runs, then starts it again.
   * @param onError told about a run that failed; the queue goes on with the next one.
   */
  constructor(
    private readonly run: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Schedules a run, or joins the one already waiting. Resolves (never rejects) when that run
   * has ended, or at once if the queue is closed.
   */
  request(): Promise<void> {
    if (this.closed) {
      return this.tail;
    }
    if (!this.queued) {
      const next = this.tail.then(() => this.runNow());
      this.queued = next;
      this.tail = next;
    }
    return this.queued;
  }

  /** No run starts after this; resolves once the run in progress, if any, has ended. */
  close(): Promise<void> {
    this.closed = true;
    return this.tail;
  }

  private async runNow(): Promise<void> {
    // From here on a request needs a later run: this one may read settings that change next.
    this.queued = undefined;
    if (this.closed) {
      return;
    }
    try {
      await this.run();
    } catch (error) {
      try {
        this.onError(error);
      } catch {
        // A failing error report must not wedge the queue either.
      }
    }
  }
}
