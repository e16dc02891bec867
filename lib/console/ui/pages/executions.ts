/** Executions: the list by workflow and status, and one execution as a graph with its input, output and history. */
import { useState } from 'preact/hooks';
import type { ExecutionDetail, Executions } from '../../console-api';
import { currentSession, getJson } from '../console-client';
import { formatTime, prettyJson } from '../figures';
import { html } from '../html';
import { useLiveData } from '../live-stream';
import { concernsExecutions } from '../relevance';
import { hrefTo, type Route } from '../router';
import { ExecutionGraph, useExecutionGraph } from './execution-graph';
import { ErrorNote, Loading } from './shared';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

export function ExecutionsPage(props: { route: Route }) {
  const [executionArn] = props.route.rest;
  return executionArn
    ? html`<${ExecutionView} key=${executionArn} executionArn=${executionArn} />`
    : html`<${ExecutionList} workflow=${props.route.query.get('workflow') ?? ''} status=${props.route.query.get('status') ?? ''} />`;
}

function ExecutionList(props: { workflow: string; status: string }) {
  const executions = useLiveData(
    () => getJson<Executions>('/executions', { workflow: props.workflow, status: props.status }),
    concernsExecutions,
    `executions:${props.workflow}:${props.status}`,
  );
  const filter = (change: { workflow?: string; status?: string }) => {
    const query = { workflow: props.workflow, status: props.status, ...change };
    location.hash = hrefTo(
      'executions',
      [],
      Object.fromEntries(Object.entries(query).filter(([, value]) => value)),
    );
  };
  return html`<section data-testid="page-executions">
    <div class="toolbar">
      <label>workflow <select data-testid="execution-workflow-filter" value=${props.workflow} onChange=${(event: Event) => filter({ workflow: (event.target as HTMLSelectElement).value })}>
        <option value="">all</option>
        ${currentSession().workflows.map(({ workflowId }) => html`<option value=${workflowId}>${workflowId}</option>`)}
      </select></label>
      <label>status <select data-testid="execution-status-filter" value=${props.status} onChange=${(event: Event) => filter({ status: (event.target as HTMLSelectElement).value })}>
        <option value="">all</option>${STATUSES.map((status) => html`<option value=${status}>${status}</option>`)}
      </select></label>
    </div>
    ${
      !executions.data
        ? html`<${Loading} error=${executions.error} />`
        : html`<${ErrorNote} error=${executions.error} />
        <table class="grid" data-testid="executions">
          <thead><tr><th>started</th><th>workflow</th><th>name</th><th>status</th><th>stopped</th></tr></thead>
          <tbody>
            ${executions.data.executions.map(
              (
                execution,
              ) => html`<tr data-testid="execution-row" data-status=${execution.status} data-workflow=${execution.workflowId}>
                <td>${formatTime(execution.startDate)}</td>
                <td>${execution.workflowId}</td>
                <td><a class="mono" href=${hrefTo('executions', [execution.executionArn])}>${execution.name}</a></td>
                <td><span class=${`badge ${execution.status.toLowerCase()}`}>${execution.status}</span></td>
                <td>${formatTime(execution.stopDate)}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
    }
  </section>`;
}

function ExecutionView(props: { executionArn: string }) {
  const detail = useLiveData(
    () => getJson<ExecutionDetail>(`/executions/${encodeURIComponent(props.executionArn)}`),
    // Only this execution's own end is news once it runs; while it runs, its requests' facts are too.
    (event) => event.source !== 'baton' || JSON.stringify(event.detail).includes(props.executionArn),
    `execution:${props.executionArn}`,
  );
  if (!detail.data)
    return html`<section data-testid="page-execution"><${Loading} error=${detail.error} /></section>`;
  return html`<${ExecutionDetailView} detail=${detail.data} error=${detail.error} />`;
}

function ExecutionDetailView(props: { detail: ExecutionDetail; error: Error | undefined }) {
  const { execution, definition, history } = props.detail;
  const graph = useExecutionGraph(definition, history);
  const [selected, setSelected] = useState<string | undefined>();
  const visit = selected && 'path' in graph ? graph.path.states.get(selected) : undefined;
  return html`<section data-testid="page-execution" data-status=${execution.status}>
    <${ErrorNote} error=${props.error} />
    <div class="card-title">
      <a href=${hrefTo('executions')}>executions</a> /
      <b class="mono">${execution.name}</b> <span class="muted">${execution.workflowId}</span>
      <span class=${`badge ${execution.status.toLowerCase()}`} data-testid="execution-status">${execution.status}</span>
      <span class="muted">${formatTime(execution.startDate)} → ${formatTime(execution.stopDate)}</span>
    </div>
    ${execution.error && html`<p class="error" data-testid="execution-error"><b>${execution.error}</b> ${execution.cause ?? ''}</p>`}
    <div class="execution-layout">
      ${
        'error' in graph
          ? html`<${ErrorNote} error=${graph.error} />`
          : html`<${ExecutionGraph} layout=${graph.layout} path=${graph.path} selected=${selected} onSelect=${setSelected} />`
      }
      <aside class="panel" data-testid="state-detail">
        ${
          selected
            ? html`<h3>${selected} <span class="muted">${visit ? `${visit.outcome}, entered ${visit.entered}×` : 'not visited'}</span></h3>
              ${visit?.error && html`<p class="error"><b>${visit.error}</b> ${visit.cause ?? ''}</p>`}
              <h4>Input</h4><pre data-testid="state-input">${prettyJson(visit?.input)}</pre>
              <h4>Output</h4><pre data-testid="state-output">${prettyJson(visit?.output)}</pre>`
            : html`<p class="muted">Click a state to see its input and output.</p>`
        }
      </aside>
    </div>
    <div class="columns">
      <div><h3>Input</h3><pre data-testid="execution-input">${prettyJson(execution.input)}</pre></div>
      <div><h3>Output</h3><pre data-testid="execution-output">${prettyJson(execution.output)}</pre></div>
    </div>
    <h3>History <span class="count">${history.length}</span></h3>
    <table class="grid compact" data-testid="execution-history">
      <thead><tr><th class="number">id</th><th>type</th><th>time</th><th>details</th></tr></thead>
      <tbody>
        ${history.map(
          (event) => html`<tr key=${event.id}>
            <td class="number">${event.id}</td><td>${event.type}</td><td>${formatTime(event.timestamp)}</td>
            <td class="mono clip">${Object.keys(event.details).length > 0 ? JSON.stringify(event.details) : ''}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}
