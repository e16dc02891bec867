// What `aws-clients` imports on first use: a module of its own, so that a bundle keeps only these classes.
export { DynamoDBClient } from '@aws-sdk/client-dynamodb';
export { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
