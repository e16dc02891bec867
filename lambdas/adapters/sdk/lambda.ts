// What `aws-clients` imports on first use: a module of its own, so that a bundle keeps only this class.
export { LambdaClient } from '@aws-sdk/client-lambda';
