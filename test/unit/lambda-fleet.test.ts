/**
 * The simulated Lambda fleet refuses in its own terms, and only the API edge words a refusal as
 * Lambda's wire error (`lambda-api/wire-errors.ts`): the model knows nothing of HTTP.
 */
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../lib/embedded/aws-error';
import { inLambdaTerms } from '../../lib/embedded/lambda-api/wire-errors';
import {
  AliasAlreadyExists,
  AliasNotFound,
  type FleetRefusal,
  FunctionAlreadyExists,
  FunctionNotFound,
  InvalidParameterValue,
  RevisionMismatch,
} from '../../lib/embedded/lambda-fleet/fleet-refusals';
import { LambdaFleet } from '../../lib/embedded/lambda-fleet/lambda-fleet';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:checkout';

function refusalOf(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the fleet to refuse');
}

describe('the fleet model', () => {
  const fleet = new LambdaFleet();
  fleet.createFunction('checkout');
  fleet.publishVersion('checkout');
  fleet.createAlias('checkout', 'live', { functionVersion: '1' });

  it.each<[string, () => unknown, new (...args: never[]) => FleetRefusal]>([
    ['an unknown function', () => fleet.version('nowhere'), FunctionNotFound],
    [
      'a function of another account',
      () => fleet.version('arn:aws:lambda:us-east-1:123456789012:function:checkout'),
      FunctionNotFound,
    ],
    ['an unknown alias', () => fleet.alias('checkout', 'gone'), AliasNotFound],
    ['a second function of one name', () => fleet.createFunction('checkout'), FunctionAlreadyExists],
    [
      'a second alias of one name',
      () => fleet.createAlias('checkout', 'live', { functionVersion: '1' }),
      AliasAlreadyExists,
    ],
    [
      'a stale revision',
      () => fleet.updateAlias('checkout', 'live', { revisionId: 'stale' }),
      RevisionMismatch,
    ],
    [
      'a weight of 2',
      () => fleet.updateAlias('checkout', 'live', { additionalVersionWeights: { '1': 2 } }),
      InvalidParameterValue,
    ],
    ['a malformed name', () => fleet.version('not a name'), InvalidParameterValue],
  ])('refuses %s in its own terms, not as a wire error', (_case, call, refusal) => {
    const error = refusalOf(call);
    expect(error).toBeInstanceOf(refusal);
    expect(error).not.toBeInstanceOf(AwsError);
  });
});

describe('the API edge', () => {
  it.each<[FleetRefusal, string, number, string]>([
    [new FunctionNotFound(ARN), 'ResourceNotFoundException', 404, `Function not found: ${ARN}`],
    [new AliasNotFound(`${ARN}:live`), 'ResourceNotFoundException', 404, `Alias not found: ${ARN}:live`],
    [
      new FunctionAlreadyExists('checkout'),
      'ResourceConflictException',
      409,
      'Function already exist: checkout',
    ],
    [
      new AliasAlreadyExists(`${ARN}:live`),
      'ResourceConflictException',
      409,
      `Alias already exists: ${ARN}:live`,
    ],
    [
      new RevisionMismatch('alias'),
      'PreconditionFailedException',
      412,
      'The Revision Id provided does not match the latest Revision Id. Call the GetAlias API to retrieve the latest Revision Id',
    ],
    [
      new InvalidParameterValue('FunctionVersion is required'),
      'InvalidParameterValueException',
      400,
      'FunctionVersion is required',
    ],
  ])('answers %s as Lambda does', (refusal, code, statusCode, message) => {
    const wire = inLambdaTerms(refusal);
    expect(wire).toBeInstanceOf(AwsError);
    expect(wire).toMatchObject({ code, statusCode, message });
  });

  it('lets any other error through as it is', () => {
    const failure = new TypeError('a bug');
    expect(inLambdaTerms(failure)).toBe(failure);
  });
});
