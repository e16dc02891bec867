// What `aws-clients` imports on first use: a module of its own, so that a bundle keeps only this class.
export { EventBridgeClient } from '@aws-sdk/client-eventbridge';
