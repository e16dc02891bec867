/**
 * Function ARNs and references as Lambda reads them: a name, a partial ARN or a full ARN, maybe
 * qualified by a version or an alias. The ARNs are those of the runtime's account and region.
 */
import { LOCAL_ACCOUNT, LOCAL_REGION, localArn } from '../local-aws';
import { FunctionNotFound, InvalidParameterValue } from './fleet-refusals';

const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
/** What Lambda accepts as FunctionName: a name, a partial ARN or a full ARN, maybe qualified. */
const FUNCTION_REFERENCE =
  /^(?:arn:aws[a-zA-Z-]*:lambda:(?<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):)?(?:(?<account>\d{12}):)?(?:function:)?(?<name>[a-zA-Z0-9-_]+)(?::(?<qualifier>\$LATEST|[a-zA-Z0-9-_]+))?$/;

export function functionArn(name: string, qualifier?: string): string {
  return localArn('lambda', `function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`);
}

/** Splits a FunctionName as Lambda reads it; an ARN of another account or region names no function here. */
export function parseFunctionReference(reference: string): { name: string; qualifier: string | undefined } {
  const groups = FUNCTION_REFERENCE.exec(reference)?.groups;
  const name = groups?.name;
  if (!groups || !name || !FUNCTION_NAME.test(name)) {
    throw new InvalidParameterValue(
      `FunctionName ${reference} must be a function name (1–64 of a-z, A-Z, 0-9, - and _) or its ARN`,
    );
  }
  if (
    (groups.region !== undefined && groups.region !== LOCAL_REGION) ||
    (groups.account !== undefined && groups.account !== LOCAL_ACCOUNT)
  )
    throw new FunctionNotFound(reference);
  return { name, qualifier: groups.qualifier };
}

/** The function a reference names, which must not be qualified (the operations on a whole function). */
export function unqualifiedName(reference: string): string {
  const { name, qualifier } = parseFunctionReference(reference);
  if (qualifier !== undefined)
    throw new InvalidParameterValue(
      `FunctionName ${reference} must not be qualified here: name the function alone`,
    );
  return name;
}
