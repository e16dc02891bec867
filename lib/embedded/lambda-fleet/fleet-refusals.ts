/**
 * What the simulated fleet refuses, by Lambda's rules, in the fleet's own terms. The Lambda API
 * (`lambda-api.ts`) answers each with Lambda's wire error; the messages are Lambda's, so a caller
 * reads here what it would read in AWS.
 */

export type FleetRefusalName =
  | 'FunctionNotFound'
  | 'AliasNotFound'
  | 'FunctionAlreadyExists'
  | 'AliasAlreadyExists'
  | 'RevisionMismatch'
  | 'InvalidParameterValue';

export class FleetRefusal extends Error {
  constructor(
    override readonly name: FleetRefusalName,
    message: string,
  ) {
    super(message);
  }
}

export class FunctionNotFound extends FleetRefusal {
  constructor(readonly functionArn: string) {
    super('FunctionNotFound', `Function not found: ${functionArn}`);
  }
}

export class AliasNotFound extends FleetRefusal {
  constructor(readonly aliasArn: string) {
    super('AliasNotFound', `Alias not found: ${aliasArn}`);
  }
}

export class FunctionAlreadyExists extends FleetRefusal {
  constructor(readonly functionName: string) {
    // Lambda's wording, grammar included.
    super('FunctionAlreadyExists', `Function already exist: ${functionName}`);
  }
}

export class AliasAlreadyExists extends FleetRefusal {
  constructor(readonly aliasArn: string) {
    super('AliasAlreadyExists', `Alias already exists: ${aliasArn}`);
  }
}

/** A compare-and-swap lost: the `RevisionId` given is not the function's (or alias's) current one. */
export class RevisionMismatch extends FleetRefusal {
  constructor(readonly of: 'function' | 'alias') {
    super(
      'RevisionMismatch',
      `The Revision Id provided does not match the latest Revision Id. Call the ${of === 'function' ? 'GetFunction' : 'GetAlias'} API to retrieve the latest Revision Id`,
    );
  }
}

/** A value Lambda refuses (a bad weight, an unknown version, a malformed name…). */
export class InvalidParameterValue extends FleetRefusal {
  constructor(message: string) {
    super('InvalidParameterValue', message);
  }
}
