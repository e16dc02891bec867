import { batonName } from '../topology/resource-names';

/** Where the embedded runtime listens: loopback only, on this port unless told otherwise. */
export const LOOPBACK = '127.0.0.1';
export const DEFAULT_PORT = 4010;

/**
 * The account and region the embedded runtime pretends to be, in every ARN it makes. Fixed, so
 * that ARNs printed in docs and scripts hold whatever `AWS_REGION` the user's shell has.
 */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_STAGE = 'local';

export function localArn(service: string, resource: string): string {
  return `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
}

/** IAM is global: its ARNs carry no region. */
export function localRoleArn(roleName: string): string {
  return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${roleName}`;
}

export const LEDGER_TABLE_NAME = batonName(LOCAL_STAGE, 'ledger');
