/** What the `baton` command prints when a command fails: the error's name and what to do about it. */

/** A runtime or endpoint that is not there answers nothing: say how to start one. */
export function describeFailure(failure: Error): string {
  const code = (failure as NodeJS.ErrnoException).code;
  const refused = code === 'ECONNREFUSED' || /\bECONNREFUSED\b/.test(failure.message);
  if (refused) {
    const address = /ECONNREFUSED ([\w.:[\]]+)/.exec(failure.message)?.[1] ?? 'the endpoint';
    return [
      `RuntimeNotRunning: nothing answers at ${address}.`,
      'Start Baton embedded with `npm start` (or `npx baton dev`) in another terminal,',
      'or point the command elsewhere with --endpoint <url>, or at a deployed stage with --stage <stage>.',
    ].join('\n');
  }
  return `${failure.name}: ${failure.message}`;
}
