/**
 * The ledger's records in flight, read for the reconciler and `baton audit`: rollouts, requests
 * and allocations each live in a partition of their own (that is what keeps their writes apart),
 * so finding the unsettled ones is one filtered Scan — every few minutes, not on any request's
 * path. A sparse index would spare the Scan at the cost of every writer keeping it up to date.
 */
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { allocationRecord, requestRecord } from '../core/allocation/allocation';
import type { LedgerItemMalformed } from '../core/errors';
import type { UnsettledRecords } from '../core/recovery/orphans';
import { rolloutRecord } from '../core/rollouts/rollout-schemas';
import { parseEach } from './ledger-items';

/** Each kind of record in flight, named. */
const UNSETTLED = {
  rollout:
    '(entity = :rollout AND (#status IN (:running, :paused) OR attribute_not_exists(endingAnnounced)))',
  request:
    '(entity = :request AND (attribute_not_exists(outcome) OR outcome.#provisioning = :yes OR attribute_not_exists(announced)))',
  release:
    '(entity = :allocation AND (#status = :releasing OR (#status = :released AND attribute_not_exists(releaseAnnounced))))',
};

export class DynamoDbUnsettledRecords implements UnsettledRecords {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async unsettled() {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: Object.values(UNSETTLED).join(' OR '),
          ExpressionAttributeNames: { '#status': 'status', '#provisioning': 'provisioning' },
          ExpressionAttributeValues: {
            ':rollout': 'rollout',
            ':running': 'RUNNING',
            ':paused': 'PAUSED',
            ':request': 'request',
            ':yes': true,
            ':allocation': 'allocation',
            ':releasing': 'RELEASING',
            ':released': 'RELEASED',
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const of = (entity: string) => items.filter((item) => item.entity === entity);
    const malformed: LedgerItemMalformed[] = [];
    const leftOut = (item: LedgerItemMalformed) => malformed.push(item);
    return {
      rollouts: parseEach(rolloutRecord, 'rollout', of('rollout'), leftOut),
      requests: parseEach(requestRecord, 'request', of('request'), leftOut),
      releases: parseEach(allocationRecord, 'allocation', of('allocation'), leftOut),
      malformed,
    };
  }
}
