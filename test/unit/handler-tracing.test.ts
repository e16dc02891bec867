/**
 * The Tracer is loaded on first use, not at cold start: where Lambda runs a handler with tracing on,
 * its invocation is still traced and its SDK clients still captured, as X-Ray receives them. The
 * handler runs in a process of its own with Lambda's environment (the X-Ray SDK reads it once),
 * and its segments go to a UDP socket standing in for the X-Ray daemon.
 */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { runInLambdaEnvironment } from './lambda-like-process';

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';

/** Runs `script` (ESM, tsx) with Lambda's environment; returns its stdout and what the daemon received. */
async function runInLambda(script: string, extra: Record<string, string> = {}) {
  const daemon = createSocket('udp4');
  const received: string[] = [];
  daemon.on('message', (message) => received.push(message.toString()));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  const { port } = daemon.address() as AddressInfo;
  try {
    const stdout = await runInLambdaEnvironment(script, {
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_FUNCTION_NAME: 'baton-test-traced',
      LAMBDA_TASK_ROOT: repositoryRoot,
      _HANDLER: 'index.handler',
      _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`,
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
      POWERTOOLS_SERVICE_NAME: 'baton-test',
      ...extra,
    });
    // UDP datagrams sent just before the process ended are delivered by now, or lost to us anyway.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { stdout, segments: received.map((datagram) => JSON.parse(datagram.split('\n')[1] ?? '{}')) };
  } finally {
    daemon.close();
  }
}

const tracedHandler = `
  import { batonHandler } from ${JSON.stringify(join(repositoryRoot, 'lambdas/middleware/baton-handler.ts'))};
  import { sharedEventBridgeClient } from ${JSON.stringify(join(repositoryRoot, 'lambdas/adapters/aws-clients.ts'))};
  const context = { functionName: 'baton-test-traced', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 1000 };
  const handler = batonHandler(async () => {
    const client = await sharedEventBridgeClient();
    return client.middlewareStack.identify().filter((name) => /xray/i.test(name));
  });
  console.log(JSON.stringify(await handler({}, context)));
`;

describe('tracing in Lambda', () => {
  it('traces each invocation as its own subsegment and captures the SDK clients, with the Tracer loaded on first use', async () => {
    const { stdout, segments } = await runInLambda(tracedHandler);

    expect(JSON.parse(stdout)).toEqual([expect.stringMatching(/XRaySDKInstrumentation/)]);
    const invocation = segments.find((segment) => segment.name === '## index.handler');
    expect(invocation).toMatchObject({
      trace_id: TRACE_ID,
      parent_id: '53995c3f42cd8ad8',
      annotations: { ColdStart: true, Service: 'baton-test' },
    });
  });

  it('loads no Tracer and sends nothing where tracing is turned off', async () => {
    const { stdout, segments } = await runInLambda(tracedHandler, { POWERTOOLS_TRACE_ENABLED: 'false' });

    expect(JSON.parse(stdout)).toEqual([]);
    expect(segments).toEqual([]);
  });
});
