/** The console's frame: navigation, the live indicator, and the page the hash names. */
import type { ConsoleSession } from '../console-api';
import { html } from './html';
import { useStreamState } from './live-stream';
import { CapacityPage } from './pages/capacity';
import { EventsPage } from './pages/events';
import { ExecutionsPage } from './pages/executions';
import { OverviewPage } from './pages/overview';
import { RolloutsPage } from './pages/rollouts';
import { WorkloadsPage } from './pages/workloads';
import { hrefTo, type Route, useRoute } from './router';

const PAGES: readonly { id: string; title: string; render: (route: Route) => unknown }[] = [
  { id: 'overview', title: 'Overview', render: () => html`<${OverviewPage} />` },
  { id: 'capacity', title: 'Capacity', render: () => html`<${CapacityPage} />` },
  { id: 'workloads', title: 'Workloads', render: () => html`<${WorkloadsPage} />` },
  { id: 'rollouts', title: 'Rollouts', render: () => html`<${RolloutsPage} />` },
  { id: 'executions', title: 'Executions', render: (route) => html`<${ExecutionsPage} route=${route} />` },
  { id: 'events', title: 'Events', render: () => html`<${EventsPage} />` },
];

export function App(props: { session: ConsoleSession }) {
  const route = useRoute();
  const stream = useStreamState();
  const page = PAGES.find((candidate) => candidate.id === route.page);
  return html`
    <header>
      <span class="brand">Baton</span>
      <span class="stage" data-testid="stage">${props.session.mode === 'embedded' ? 'embedded runtime' : 'stage'} · ${props.session.stage}</span>
      <nav>
        ${PAGES.map(
          (candidate) =>
            html`<a href=${hrefTo(candidate.id)} class=${candidate.id === route.page ? 'active' : ''} data-testid=${`nav-${candidate.id}`}>${candidate.title}</a>`,
        )}
      </nav>
      <span class=${`live ${stream}`} data-testid="live-status" data-state=${stream}>${stream}</span>
    </header>
    <main key=${route.page}>
      ${page ? page.render(route) : html`<p class="error" data-testid="unknown-page">No page called “${route.page}”.</p>`}
    </main>`;
}
