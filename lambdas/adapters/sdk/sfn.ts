// What `aws-clients` imports on first use: a module of its own, so that a bundle keeps only this class.
export { SFNClient } from '@aws-sdk/client-sfn';
