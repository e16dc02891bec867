/** The members of a Lambda request, read and checked as Lambda's API model has them. */
import { createHash } from 'node:crypto';
import { memberTooLong } from '../aws-error';
import { invalidParameter } from './wire-errors';

/** `RoutingConfig` as the fleet takes it: undefined when left out, `{}` (no routing) when empty. */
export function routingWeights(routingConfig: unknown): Record<string, number> | undefined {
  if (routingConfig === undefined || routingConfig === null) return undefined;
  if (!isObject(routingConfig)) throw invalidParameter('RoutingConfig must be an object');
  const weights = routingConfig.AdditionalVersionWeights ?? {};
  if (!isObject(weights))
    throw invalidParameter('RoutingConfig.AdditionalVersionWeights must map a version to its weight');
  for (const [version, weight] of Object.entries(weights)) {
    if (typeof weight !== 'number')
      throw invalidParameter(`The weight of version ${version} must be a number from 0.0 to 1.0`);
  }
  return weights as Record<string, number>;
}

/**
 * What the fleet keeps of `Code` (no code runs here): the SHA-256 and size of a zip, or of the
 * location of code in S3 or ECR.
 */
export function codeFingerprint(code: unknown): { codeSha256?: string; codeSize?: number } {
  if (code === undefined || code === null) return {};
  if (!isObject(code)) throw invalidParameter('Code must be an object');
  const zip = optionalString(code, 'ZipFile');
  const location = [code.S3Bucket, code.S3Key, code.S3ObjectVersion, code.ImageUri];
  if (!zip && location.every((part) => part === undefined)) return {};
  const bytes = zip
    ? Buffer.from(zip, 'base64')
    : Buffer.from(
        JSON.stringify(
          [code.S3Bucket, code.S3Key, code.S3ObjectVersion, code.ImageUri].map((part) => part ?? ''),
        ),
      );
  return {
    codeSha256: createHash('sha256').update(bytes).digest('base64'),
    codeSize: zip ? bytes.length : 0,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined || value === '') throw invalidParameter(`${field} is required`);
  return value;
}

/** A string member, held to its length in Lambda's API model when it has one. */
export function optionalString(
  body: Record<string, unknown>,
  field: string,
  maxLength = Number.POSITIVE_INFINITY,
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${field} must be a string`);
  // Lambda names members in lower camel case in its validation messages.
  if (value.length > maxLength)
    throw memberTooLong(`${field.charAt(0).toLowerCase()}${field.slice(1)}`, maxLength);
  return value;
}

export function optionalInteger(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw invalidParameter(`${field} must be a whole number`);
  return value;
}
