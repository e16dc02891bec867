/** The account and region the embedded runtime pretends to be, in every ARN it makes. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
export const LOCAL_STAGE = 'local';

export function localArn(service: string, resource: string): string {
  return `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
}
