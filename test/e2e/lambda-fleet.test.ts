/** The Lambda control plane of the embedded runtime, as `@aws-sdk/client-lambda` and `baton function` see it. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type AliasConfiguration,
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PreconditionFailedException,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateAliasCommand,
  type UpdateAliasCommandInput,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:checkout';
const zip = Buffer.from('pretend this is a zip');

let t: TestRuntime;
/** One attempt per call: every refusal reaches the test. */
let lambda: LambdaClient;
/** The SDK's standard retries, as a rollout handler has them. */
let retrying: LambdaClient;
/** Signed as Baton's own functions sign (its traffic-hook step invokes functions). */
let baton: LambdaClient;
beforeAll(async () => {
  t = await startTestRuntime();
  const config = {
    endpoint: t.runtime.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  lambda = new LambdaClient({ ...config, maxAttempts: 1 });
  retrying = new LambdaClient(config);
  baton = new LambdaClient({ ...config, credentials: t.runtime.functionCredentials, maxAttempts: 1 });
});
afterAll(async () => {
  lambda.destroy();
  retrying.destroy();
  baton.destroy();
  await t.stop();
});

const getLive = async (): Promise<AliasConfiguration> => {
  const { $metadata, ...alias } = await lambda.send(
    new GetAliasCommand({ FunctionName: 'checkout', Name: 'live' }),
  );
  return alias;
};

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to be refused');
  return error;
}

describe('the Lambda control plane', () => {
  let firstRevision: string | undefined;

  it('creates a function and publishes versions 1 and 2, listed $LATEST first, page by page', async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'checkout',
        Role: 'arn:aws:iam::000000000000:role/checkout',
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Code: { ZipFile: zip },
        Description: 'the checkout service',
      }),
    );
    expect(created).toMatchObject({
      FunctionName: 'checkout',
      FunctionArn: FUNCTION_ARN,
      Version: '$LATEST',
      State: 'Active',
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      MemorySize: 128,
      Timeout: 3,
      CodeSize: zip.length,
      CodeSha256: createHash('sha256').update(zip).digest('base64'),
      RevisionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(created.$metadata.httpStatusCode).toBe(201);

    const stale = await refusal(
      lambda.send(new PublishVersionCommand({ FunctionName: 'checkout', RevisionId: 'not-the-revision' })),
    );
    expect(stale).toBeInstanceOf(PreconditionFailedException);

    const one = await lambda.send(
      new PublishVersionCommand({
        FunctionName: 'checkout',
        Description: 'first',
        RevisionId: created.RevisionId,
      }),
    );
    expect(one).toMatchObject({ Version: '1', FunctionArn: `${FUNCTION_ARN}:1`, Description: 'first' });
    const two = await lambda.send(new PublishVersionCommand({ FunctionName: FUNCTION_ARN }));
    expect(two).toMatchObject({ Version: '2', Description: 'the checkout service' });

    const pages: string[][] = [];
    let Marker: string | undefined;
    do {
      const page = await lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: 'checkout', MaxItems: 1, Marker }),
      );
      pages.push((page.Versions ?? []).map((version) => version.Version ?? ''));
      Marker = page.NextMarker;
    } while (Marker);
    expect(pages).toEqual([['$LATEST'], ['1'], ['2']]);
  });

  it('creates an alias on version 1, then shifts 10 % of its traffic to version 2', async () => {
    const created = await lambda.send(
      new CreateAliasCommand({
        FunctionName: 'checkout',
        Name: 'live',
        FunctionVersion: '1',
        Description: 'what customers reach',
      }),
    );
    expect(created).toMatchObject({ AliasArn: `${FUNCTION_ARN}:live`, Name: 'live', FunctionVersion: '1' });
    expect(created.RoutingConfig).toBeUndefined();
    firstRevision = created.RevisionId;

    const updated = await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'checkout',
        Name: 'live',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
        RevisionId: created.RevisionId,
      }),
    );
    expect(updated.RevisionId).not.toBe(created.RevisionId);
    expect(await getLive()).toEqual({
      AliasArn: `${FUNCTION_ARN}:live`,
      Name: 'live',
      FunctionVersion: '1',
      Description: 'what customers reach',
      RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
      RevisionId: updated.RevisionId,
    });
  });

  it('refuses an update with a stale RevisionId (PreconditionFailedException) and changes nothing', async () => {
    const before = await getLive();
    const error = await refusal(
      lambda.send(
        new UpdateAliasCommand({
          FunctionName: 'checkout',
          Name: 'live',
          FunctionVersion: '2',
          RoutingConfig: { AdditionalVersionWeights: {} },
          RevisionId: firstRevision,
        }),
      ),
    );
    expect(error).toBeInstanceOf(PreconditionFailedException);
    expect(error.message).toContain('Revision Id provided does not match');
    expect(await getLive()).toEqual(before);
  });

  it.each<[string, Partial<UpdateAliasCommandInput>, RegExp]>([
    [
      'two additional versions',
      { RoutingConfig: { AdditionalVersionWeights: { '2': 0.1, '3': 0.1 } } },
      /at most two versions/,
    ],
    ['a weight of 1.5', { RoutingConfig: { AdditionalVersionWeights: { '2': 1.5 } } }, /from 0\.0 to 1\.0/],
    ['$LATEST in the routing', { RoutingConfig: { AdditionalVersionWeights: { $LATEST: 0.1 } } }, /\$LATEST/],
    ['routing from $LATEST', { FunctionVersion: '$LATEST' }, /\$LATEST/],
    [
      'an unknown additional version',
      { RoutingConfig: { AdditionalVersionWeights: { '9': 0.1 } } },
      /9.*not exist/,
    ],
    ['an unknown version', { FunctionVersion: '9' }, /FunctionVersion 9 does not exist/],
    ['routing to its own version', { FunctionVersion: '2' }, /FunctionVersion already/],
  ])('refuses %s with InvalidParameterValueException, saying why', async (_case, change, why) => {
    const before = await getLive();
    const error = await refusal(
      lambda.send(new UpdateAliasCommand({ FunctionName: 'checkout', Name: 'live', ...change })),
    );
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toMatch(why);
    expect(await getLive()).toEqual(before);
  });

  it('clears the routing with empty weights, keeping what the update leaves out', async () => {
    const cleared = await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'checkout',
        Name: 'live',
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    expect(cleared).toMatchObject({ FunctionVersion: '1', Description: 'what customers reach' });
    expect(cleared.RoutingConfig).toBeUndefined();
    const promoted = await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'checkout', Name: 'live', FunctionVersion: '2' }),
    );
    expect(promoted).toMatchObject({ FunctionVersion: '2', Description: 'what customers reach' });
  });

  it('gets a function through an alias, a version or an ARN', async () => {
    const throughAlias = await lambda.send(
      new GetFunctionCommand({ FunctionName: 'checkout', Qualifier: 'live' }),
    );
    expect(throughAlias.Configuration).toMatchObject({ Version: '2', FunctionArn: `${FUNCTION_ARN}:live` });
    expect(throughAlias.Code?.RepositoryType).toBe('S3');
    const qualifiedArn = await lambda.send(new GetFunctionCommand({ FunctionName: `${FUNCTION_ARN}:1` }));
    expect(qualifiedArn.Configuration).toMatchObject({ Version: '1', Description: 'first' });
    const partialArn = await lambda.send(
      new GetFunctionCommand({ FunctionName: '000000000000:function:checkout' }),
    );
    expect(partialArn.Configuration).toMatchObject({ Version: '$LATEST', FunctionArn: FUNCTION_ARN });
  });

  it('reserves concurrency, which GetFunction shows, within what the account can spare', async () => {
    const put = await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'checkout', ReservedConcurrentExecutions: 25 }),
    );
    expect(put.ReservedConcurrentExecutions).toBe(25);
    const { Concurrency } = await lambda.send(new GetFunctionCommand({ FunctionName: 'checkout' }));
    expect(Concurrency).toEqual({ ReservedConcurrentExecutions: 25 });
    const tooMuch = await refusal(
      lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: 'checkout', ReservedConcurrentExecutions: 901 }),
      ),
    );
    expect(tooMuch).toBeInstanceOf(InvalidParameterValueException);
  });

  it('answers 404 for an unknown function, version or alias, and 409 for a duplicate', async () => {
    for (const call of [
      lambda.send(new GetFunctionCommand({ FunctionName: 'no-such-function' })),
      lambda.send(new GetFunctionCommand({ FunctionName: 'checkout', Qualifier: '7' })),
      lambda.send(
        new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:checkout' }),
      ),
      lambda.send(new GetAliasCommand({ FunctionName: 'checkout', Name: 'no-such-alias' })),
      lambda.send(
        new UpdateAliasCommand({ FunctionName: 'checkout', Name: 'no-such-alias', FunctionVersion: '1' }),
      ),
    ]) {
      const error = await refusal(call);
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.message).toMatch(/not found: arn:aws:lambda:/);
    }
    for (const call of [
      lambda.send(new CreateFunctionCommand({ FunctionName: 'checkout', Role: 'r', Code: {} })),
      lambda.send(new CreateAliasCommand({ FunctionName: 'checkout', Name: 'live', FunctionVersion: '1' })),
    ]) {
      expect(await refusal(call)).toBeInstanceOf(ResourceConflictException);
    }
  });

  it("answers each refusal with Lambda's HTTP status: 404 not found, 409 conflict, 412 stale revision, 400 bad value", async () => {
    const statusOf = async (call: Promise<unknown>) =>
      ((await refusal(call)) as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const statuses = {
      notFound: await statusOf(lambda.send(new GetFunctionCommand({ FunctionName: 'no-such-function' }))),
      aliasNotFound: await statusOf(
        lambda.send(new GetAliasCommand({ FunctionName: 'checkout', Name: 'no-such-alias' })),
      ),
      conflict: await statusOf(
        lambda.send(new CreateAliasCommand({ FunctionName: 'checkout', Name: 'live', FunctionVersion: '1' })),
      ),
      staleRevision: await statusOf(
        lambda.send(new PublishVersionCommand({ FunctionName: 'checkout', RevisionId: 'not-the-latest' })),
      ),
      badValue: await statusOf(
        lambda.send(new UpdateAliasCommand({ FunctionName: 'checkout', Name: 'live', FunctionVersion: '9' })),
      ),
    };
    expect(statuses).toEqual({
      notFound: 404,
      aliasNotFound: 404,
      conflict: 409,
      staleRevision: 412,
      badValue: 400,
    });
  });

  it("holds what it keeps to Lambda's limits: a Description over 256 characters, a Handler over 128, refused whole", async () => {
    const description = (length: number) => 'd'.repeat(length);
    const refusals = [
      () =>
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: 'too-long',
            Role: 'r',
            Code: {},
            Description: description(3_900_000),
          }),
        ),
      () =>
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: 'too-long',
            Role: 'r',
            Code: {},
            Handler: 'h'.repeat(129),
          }),
        ),
      () =>
        lambda.send(new PublishVersionCommand({ FunctionName: 'checkout', Description: description(257) })),
      () =>
        lambda.send(
          new CreateAliasCommand({
            FunctionName: 'checkout',
            Name: 'too-long',
            FunctionVersion: '1',
            Description: description(257),
          }),
        ),
      () =>
        lambda.send(
          new UpdateAliasCommand({ FunctionName: 'checkout', Name: 'live', Description: description(257) }),
        ),
    ];
    for (const call of refusals) {
      const error = await refusal(call());
      expect(error.name).toBe('ValidationException');
      expect(error.message).toMatch(/Member must have length less than or equal to (256|128)/);
    }
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'too-long' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const kept = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'at-the-limit',
        Role: 'r',
        Code: {},
        Description: description(256),
      }),
    );
    expect(kept.Description).toHaveLength(256);
  });

  it('answers an operation it does not serve with UnknownOperationException', async () => {
    const error = await refusal(lambda.send(new DeleteFunctionCommand({ FunctionName: 'checkout' })));
    expect(error.name).toBe('UnknownOperationException');
    expect(error.message).toContain('/2015-03-31/functions/checkout');
  });

  it('invokes a simulated function (it answers null) and a hosted one (it runs in its own environment)', async () => {
    const simulated = await lambda.send(new InvokeCommand({ FunctionName: 'checkout' }));
    expect(simulated.StatusCode).toBe(200);
    expect(simulated.FunctionError).toBeUndefined();
    expect(new TextDecoder().decode(simulated.Payload)).toBe('null');
    const hosted = await baton.send(
      new InvokeCommand({
        FunctionName: 'baton-local-fixture',
        Payload: JSON.stringify({ action: 'square', value: 7 }),
      }),
    );
    expect(new TextDecoder().decode(hosted.Payload)).toBe('49');
    const failed = await baton.send(
      new InvokeCommand({ FunctionName: 'baton-local-fixture', Payload: JSON.stringify({ action: 'fail' }) }),
    );
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(new TextDecoder().decode(failed.Payload))).toMatchObject({
      errorType: 'CalloutFailed',
    });
  });

  it("refuses a caller from outside Baton's own functions, so no forged fact reaches them", async () => {
    // The bus refuses source `baton` from outside; the function behind its route must too.
    const forged = {
      version: '0',
      id: 'forged-1',
      'detail-type': 'ResourceAllocated',
      source: 'baton',
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: {
        allocationId: 'alloc-forged',
        requestId: 'req-forged',
        tenantId: 'victim',
        poolId: 'p',
        amount: { vcpu: 1000 },
      },
    };
    const refused = await refusal(
      lambda.send(
        new InvokeCommand({ FunctionName: 'baton-local-follow-resources', Payload: JSON.stringify(forged) }),
      ),
    );
    expect(refused.name).toBe('AccessDeniedException');
    expect((refused as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(403);
    expect(await t.ledgerItem(ledgerKeys.resource('victim', 'alloc-forged'))).toBeUndefined();
    // The same forged fact, handed over by Baton itself, would have been recorded: the refusal is what stopped it.
    await baton.send(
      new InvokeCommand({ FunctionName: 'baton-local-follow-resources', Payload: JSON.stringify(forged) }),
    );
    expect(await t.ledgerItem(ledgerKeys.resource('victim', 'alloc-forged'))).toBeDefined();
  });

  it('throttles the next calls of an operation: one attempt fails twice, the standard retries get through', async () => {
    const before = await getLive();
    const shift = new UpdateAliasCommand({
      FunctionName: 'checkout',
      Name: 'live',
      RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } },
    });
    t.runtime.lambdaThrottle.throttleNext(2, 'UpdateAlias');
    expect(await getLive()).toEqual(before);
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await refusal(lambda.send(shift));
      expect(error).toBeInstanceOf(TooManyRequestsException);
      expect(error).toMatchObject({ Reason: 'CallerRateLimitExceeded', retryAfterSeconds: '1' });
      expect(await getLive()).toEqual(before);
    }
    t.runtime.lambdaThrottle.throttleNext(2, 'UpdateAlias');
    const shifted = await retrying.send(shift);
    expect(shifted.$metadata.attempts).toBe(3);
    expect(shifted.RoutingConfig).toEqual({ AdditionalVersionWeights: { '1': 0.5 } });
  });

  it('throttles a share of all calls at the throttle rate', async () => {
    t.runtime.lambdaThrottle.throttleRate = 1;
    try {
      expect(await refusal(getLive())).toBeInstanceOf(TooManyRequestsException);
    } finally {
      t.runtime.lambdaThrottle.throttleRate = 0;
    }
    expect((await getLive()).Name).toBe('live');
  });

  it('keeps the fleet across a restart', async () => {
    const alias = await getLive();
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'checkout' }));
    expect(existsSync(join(t.dataDirectory, 'lambda-fleet.json'))).toBe(true);
    await t.restart();
    expect(await getLive()).toEqual(alias);
    const { $metadata, ...after } = await lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: 'checkout' }),
    );
    expect({ ...versions, $metadata: undefined }).toEqual({ ...after, $metadata: undefined });
  });
});

describe('baton function', () => {
  const run = promisify(execFile);
  const baton = async (...args: string[]) =>
    (
      await run(
        process.execPath,
        [join(repositoryRoot, 'bin', 'baton.js'), '--endpoint', t.runtime.url, ...args],
        {
          cwd: repositoryRoot,
        },
      )
    ).stdout;

  it('creates, publishes, points an alias with a weight and shows it', async () => {
    expect(await baton('function', 'create', 'cart')).toContain(
      'created cart (arn:aws:lambda:us-east-1:000000000000:function:cart)',
    );
    expect(await baton('function', 'publish', 'cart', '--description', 'first')).toContain(
      'published cart version 1',
    );
    await baton('function', 'publish', 'cart');
    expect(await baton('function', 'alias', 'cart', 'live', '--version', '1')).toMatch(
      /^created live → 1 \(100%\)/,
    );
    expect(await baton('function', 'alias', 'cart', 'live', '--version', '1', '--weight', '2=0.25')).toMatch(
      /^updated live → 1 \(75%\), 2 \(25%\), revision [0-9a-f-]{36}/,
    );
    const shown = JSON.parse(await baton('--json', 'function', 'show', 'cart'));
    expect(shown.versions.map((version: { Version: string }) => version.Version)).toEqual([
      '$LATEST',
      '1',
      '2',
    ]);
    expect(shown.aliases).toEqual([
      expect.objectContaining({
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } },
        RevisionId: expect.any(String),
      }),
    ]);
    expect(await baton('function', 'show', 'cart')).toContain('live → 1 (75%), 2 (25%)');
  });
});
