/**
 * A mistake the user made (bad flag, bad config, missing argument). The CLI prints its message as
 * one line and exits 254; it never shows a stack trace for these.
 */
export class UsageError extends Error {
  readonly exitCode = 254;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
