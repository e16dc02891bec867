/** The console's entry: opens the session (the token actions carry), then draws the app. */
import { render } from 'preact';
import { App } from './app';
import { openSession } from './console-client';
import { html } from './html';

const root = document.getElementById('console');
if (!root) throw new Error('index.html has no #console element');
openSession().then(
  (session) => render(html`<${App} session=${session} />`, root),
  (error: Error) => {
    root.textContent = `The console could not open its session: ${error.message}`;
  },
);
