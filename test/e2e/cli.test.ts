/** The `baton` command as a user runs it (README), against an embedded runtime on a free port. */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';
import { submission, workloadScene } from './workload-setup';

const run = promisify(execFile);
let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime();
});
afterAll(() => t.stop());

async function baton(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(repositoryRoot, 'bin', 'baton.js'), '--endpoint', t.runtime.url, ...args],
      { cwd: repositoryRoot },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failure = error as { stdout: string; stderr: string; code: number };
    return { stdout: failure.stdout, stderr: failure.stderr, code: failure.code };
  }
}

describe('baton', () => {
  it('emits a request and shows the fact it caused in the event log', async () => {
    const detail = '{"poolId":"cli-pool","kind":"compute","capacity":{"vcpu":8},"state":"active"}';
    const emitted = await baton(
      '--json',
      'emit',
      'ResourcePoolChanged',
      '--source',
      'acme.cli',
      '--detail',
      detail,
    );
    expect(emitted.code).toBe(0);
    expect(JSON.parse(emitted.stdout)).toMatchObject({ detailType: 'ResourcePoolChanged', known: true });
    // The log is written asynchronously: wait until the fact is on disk before reading it back.
    await eventually(() =>
      readFileSync(join(t.dataDirectory, 'events.ndjson'), 'utf8').includes(
        '"poolId":"cli-pool","kind":"compute","labels":{},',
      )
        ? true
        : undefined,
    );
    const events = await baton(
      '--json',
      'events',
      '--data-dir',
      t.dataDirectory,
      '--type',
      'ResourcePoolUpdated',
    );
    const facts = events.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(facts).toContainEqual(
      expect.objectContaining({ source: 'baton', detail: expect.objectContaining({ poolId: 'cli-pool' }) }),
    );
  });

  it('runs a workflow with --wait, prints its output, and lists and explains the execution', async () => {
    const input = '{"quotas":[{"tenantId":"cli-tenant","limits":{"vcpu":4}}]}';
    const result = await baton('--json', 'run', 'declare-inventory', '--input', input, '--wait');
    expect(result.code).toBe(0);
    const { executionArn, status, output } = JSON.parse(result.stdout);
    expect({ status, output }).toEqual({
      status: 'SUCCEEDED',
      output: { pools: [], quotas: [{ tenantId: 'cli-tenant', created: true }] },
    });
    const listed = await baton('executions', 'declare-inventory');
    expect(listed.stdout).toContain(executionArn);
    const history = await baton('history', executionArn);
    expect(history.stdout).toContain('ExecutionSucceeded');
  });

  it('says its version, and how to start the runtime when nothing answers', async () => {
    const version = await run(process.execPath, [join(repositoryRoot, 'bin', 'baton.js'), '--version'], {
      cwd: repositoryRoot,
    });
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { version: string }).version,
    );
    // A port nothing listens on (the runtime's, once stopped, would be one).
    const { stdout, stderr, code } = await run(
      process.execPath,
      [join(repositoryRoot, 'bin', 'baton.js'), '--endpoint', 'http://127.0.0.1:9', 'executions'],
      { cwd: repositoryRoot },
    ).then(
      (done) => ({ ...done, code: 0 }),
      (failure: { stdout: string; stderr: string; code: number }) => failure,
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('RuntimeNotRunning: nothing answers at 127.0.0.1:9');
    expect(stderr).toContain('npm start');
  });

  it("shows the global options in every command's help", async () => {
    for (const command of [['emit'], ['function', 'alias'], ['dev']]) {
      const help = await baton(...command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Global Options:');
      for (const option of ['--endpoint <url>', '--stage <stage>', '--region <region>', '--json'])
        expect(help.stdout.slice(help.stdout.indexOf('Global Options:'))).toContain(option);
    }
  });

  it('exits non-zero with a named error for bad input', async () => {
    const badJson = await baton('emit', 'ResourcePoolChanged', '--detail', '{nope');
    expect(badJson.code).toBe(1);
    expect(badJson.stderr).toContain('InvalidJsonArgument');
    const unknown = await baton('run', 'no-such-workflow');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('UnknownWorkflow');
    expect(unknown.stderr).toContain('its workflows: allocate-resources, declare-inventory');
    expect(unknown.stderr).not.toContain('did you mean');
    const misspelled = await baton('run', 'alocate-resources');
    expect(misspelled.stderr).toContain('did you mean allocate-resources?');
    const failed = await baton('run', 'declare-inventory', '--input', '{}', '--wait');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('error: InvalidRequest');
  });

  it('follows the event log as events arrive, until Ctrl-C', async () => {
    const follower = spawn(
      process.execPath,
      [
        join(repositoryRoot, 'bin', 'baton.js'),
        '--json',
        'events',
        '--follow',
        '--data-dir',
        t.dataDirectory,
        '--type',
        'TenantQuotaUpdated',
      ],
      { cwd: repositoryRoot },
    );
    let output = '';
    follower.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => follower.on('exit', resolve));
    const quota = (tenantId: string) =>
      t.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: 'acme',
              DetailType: 'TenantQuotaChanged',
              Detail: JSON.stringify({ tenantId, limits: { vcpu: 1 } }),
            },
          ],
        }),
      );
    // The follower is a separate process that takes a moment to start: emit until it shows one…
    await eventually(async () => {
      await quota('followed-1');
      return output.includes('"tenantId":"followed-1"') ? true : undefined;
    }, 15_000);
    // …then one more, which it can only have seen by following the log.
    await quota('followed-2');
    await eventually(() => (output.includes('"tenantId":"followed-2"') ? true : undefined));
    follower.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(JSON.parse(output.trim().split('\n')[0] ?? '{}')).toMatchObject({
      source: 'baton',
      'detail-type': 'TenantQuotaUpdated',
    });
  });

  it('flags a quota declared again without a dimension in use, in state and audit, which it does not fail', async () => {
    await baton(
      'run',
      'declare-inventory',
      '--wait',
      '--input',
      '{"pools":[{"poolId":"cli-q","kind":"cli-q","capacity":{"vcpu":10,"memoryGiB":40},"state":"active"}],"quotas":[{"tenantId":"cli-q","limits":{"vcpu":10,"memoryGiB":40}}]}',
    );
    await baton(
      'run',
      'allocate-resources',
      '--wait',
      '--input',
      '{"requestId":"cli-q1","tenantId":"cli-q","kind":"cli-q","amount":{"vcpu":2,"memoryGiB":8}}',
    );
    // Declared again without memoryGiB: its limit in memoryGiB is 0 now, with 8 in use.
    await baton(
      'run',
      'declare-inventory',
      '--wait',
      '--input',
      '{"quotas":[{"tenantId":"cli-q","limits":{"vcpu":10}}]}',
    );
    const state = (await baton('state')).stdout;
    expect(state).toMatch(/cli-q +vcpu 2\/10, memoryGiB 8\/0 {2}\(over its limit in memoryGiB:/);
    const audit = await baton('audit');
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain(
      'over limit: quota of cli-q: memoryGiB 8/0 (memoryGiB is not in its declaration, so its limit is 0: declare it again with memoryGiB)',
    );
    expect(JSON.parse((await baton('--json', 'audit')).stdout).overLimit).toHaveLength(1);
  });

  it('shows the ledger with state, and audits it: clean, then drift after a hand edit', async () => {
    await baton(
      'run',
      'declare-inventory',
      '--wait',
      '--input',
      '{"pools":[{"poolId":"cli-a","kind":"cli","capacity":{"vcpu":10},"state":"active"}],"quotas":[{"tenantId":"cli-t","limits":{"vcpu":10}}]}',
    );
    await baton(
      'run',
      'allocate-resources',
      '--wait',
      '--input',
      '{"requestId":"cli-r1","tenantId":"cli-t","kind":"cli","amount":{"vcpu":3}}',
    );
    const state = JSON.parse((await baton('--json', 'state')).stdout);
    expect(state.pools).toContainEqual(expect.objectContaining({ poolId: 'cli-a', used: { vcpu: 3 } }));
    expect(state.allocations).toContainEqual(
      expect.objectContaining({ tenantId: 'cli-t', status: 'ACTIVE' }),
    );
    expect((await baton('state')).stdout).toContain('cli-a');
    const clean = await baton('audit');
    expect({ code: clean.code, out: clean.stdout }).toMatchObject({
      code: 0,
      out: expect.stringContaining('clean'),
    });
    await t.ledger.send(
      new UpdateCommand({
        TableName: LEDGER_TABLE_NAME,
        Key: ledgerKeys.pool('cli-a'),
        UpdateExpression: 'SET used.vcpu = :v',
        ExpressionAttributeValues: { ':v': 5 },
      }),
    );
    const drifted = await baton('audit');
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain('drift: pool cli-a vcpu recorded 5, allocations hold 3');
  });

  it('plans a rebalance as a dry run, then applies it with the simulated agent', async () => {
    const scene = workloadScene(t);
    await scene.declare('cli-wl', [
      { poolId: 'cli-wl-old', vcpu: 64, labels: { rack: 'old' } },
      { poolId: 'cli-wl-new', vcpu: 64, labels: { rack: 'new' } },
    ]);
    const old = await scene.allocate('cli-wl', 8, { rack: 'old' });
    await scene.submitAndPlace('cli-wl', [
      submission('cli-wl', 'svc-1', 1),
      submission('cli-wl', 'svc-2', 1),
    ]);
    const spare = await scene.allocate('cli-wl', 8, { rack: 'new' });
    await scene.declare('cli-wl', [
      { poolId: 'cli-wl-old', vcpu: 64, labels: { rack: 'old' }, state: 'draining' },
    ]);

    const dryRun = await baton('plan', '--tenant', 'cli-wl');
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toMatch(/^PLANNED/);
    expect(dryRun.stdout).toContain('moves (2)');
    expect(dryRun.stdout).toContain(`svc-1                ${old} → ${spare}  evacuate`);
    expect([...(await scene.placementOf('cli-wl')).values()]).toEqual([old, old]);

    const applied = await baton('plan', '--tenant', 'cli-wl', '--budget', '1', '--apply');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^REBALANCED/);
    expect(applied.stdout.match(/\[MOVED\]/g)).toHaveLength(2);
    expect([...(await scene.placementOf('cli-wl')).values()]).toEqual([spare, spare]);

    const bad = await baton('plan', '--strategy', 'random');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('expected spread or binpack');
  });

  it('rolls a version out with progress, shows its status, and sends controls', async () => {
    expect((await baton('function', 'create', 'cli-svc')).code).toBe(0);
    await baton('function', 'publish', 'cli-svc');
    await baton('function', 'publish', 'cli-svc');
    expect((await baton('function', 'alias', 'cli-svc', 'live', '--version', '1')).code).toBe(0);

    const rollout = await baton(
      'rollout',
      'cli-svc',
      '--to',
      '2',
      '--strategy',
      'steps:50@1',
      '--id',
      'cli-roll',
    );
    expect(rollout.code).toBe(0);
    expect(rollout.stdout).toContain('rollout cli-roll started');
    expect(rollout.stdout).toMatch(/cli-svc live 1→2 RUNNING step 1\/2: 2 at 50 % \(1 at 50 %\)/);
    expect(rollout.stdout.trim().split('\n').at(-1)).toBe('SUCCEEDED');

    const status = await baton('rollout', 'status', 'cli-roll');
    expect(status.stdout.trim()).toBe('cli-svc live 1→2 SUCCEEDED step 2/2: 2 at 100 %');
    const rejected = await baton('rollout', 'cli-svc', '--to', '2', '--strategy', 'allAtOnce');
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toContain('already sends all traffic to version 2');

    const pause = await baton('rollout', 'pause', 'cli-roll');
    expect(pause.stdout).toContain('pause sent to rollout cli-roll');
    expect((await baton('rollout', 'status', 'nope')).code).toBe(1);
  });

  it('tests an event pattern with the local matcher', async () => {
    const event = JSON.stringify({
      id: '1',
      account: '123456789012',
      source: 'acme',
      time: '2026-11-28T00:00:00Z',
      region: 'eu-west-1',
      resources: [],
      'detail-type': 'ResourcePoolChanged',
      detail: { capacity: { vcpu: 256 } },
    });
    const matches = await baton(
      'test-pattern',
      '--pattern',
      '{"detail":{"capacity":{"vcpu":[{"numeric":[">=",64]}]}}}',
      '--event',
      event,
    );
    expect({ code: matches.code, out: matches.stdout.trim() }).toEqual({ code: 0, out: 'matches' });
    const misses = await baton('test-pattern', '--pattern', '{"source":["other"]}', '--event', event);
    expect({ code: misses.code, out: misses.stdout.trim() }).toEqual({ code: 1, out: 'does not match' });
  });
});
