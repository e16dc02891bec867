/**
 * Room on a tenant's resources, on DynamoDB. A resource item keeps `members.<workloadId>` (its
 * demand and the token that took it), `used.<dimension>` (their total) and
 * `groups.<antiAffinityGroup>`; taking room changes them in one conditional `UpdateItem` that
 * re-checks room and the group, so two placements racing for the last room cannot both win.
 */
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Occupancy,
  type Occupant,
  type ResourceRecord,
  resourceRecord,
} from '../core/workloads/workload-ledger';
import {
  isConditionFailure,
  parseItem,
  readItem,
  withoutUndefined,
  writeConditionally,
} from './ledger-items';
import { ledgerKeys } from './ledger-keys';

/** The entity of a resource's tombstone (see `openedResource`). */
const TOMBSTONE = 'resource-tombstone';

export class DynamoDbResourceRoom {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async resource(tenantId: string, resourceId: string): Promise<ResourceRecord | undefined> {
    const item = await readItem(this.client, this.tableName, ledgerKeys.resource(tenantId, resourceId));
    return item && openedResource(item);
  }

  async addResource(resource: ResourceRecord): Promise<void> {
    const used = Object.fromEntries(Object.keys(resource.capacity).map((dimension) => [dimension, 0]));
    await writeConditionally(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...ledgerKeys.resource(resource.tenantId, resource.resourceId),
          entity: 'resource',
          ...withoutUndefined(resource),
          used,
          members: {},
          groups: {},
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async closeResource(tenantId: string, resourceId: string): Promise<boolean> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.resource(tenantId, resourceId),
        UpdateExpression: 'SET released = :yes, #entity = if_not_exists(#entity, :tombstone)',
        ExpressionAttributeNames: { '#entity': 'entity' },
        ExpressionAttributeValues: { ':yes': true, ':tombstone': TOMBSTONE },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return Attributes?.entity === 'resource';
  }

  async occupy(
    tenantId: string,
    resource: ResourceRecord,
    occupant: Occupant,
    token: string,
  ): Promise<Occupancy> {
    const key = ledgerKeys.resource(tenantId, resource.resourceId);
    const names: Record<string, string> = {
      '#members': 'members',
      '#used': 'used',
      '#w': occupant.workloadId,
    };
    const values: Record<string, unknown> = { ':membership': { demand: occupant.demand, token } };
    const updates = ['#members.#w = :membership'];
    const conditions = [
      'attribute_exists(pk)',
      'attribute_not_exists(released)',
      'attribute_not_exists(#members.#w)',
    ];
    // A resource's `used` has every dimension of its capacity; one it lacks has no room at all.
    if (Object.keys(occupant.demand).some((dimension) => resource.capacity[dimension] === undefined)) {
      return 'conflict';
    }
    Object.entries(occupant.demand).forEach(([dimension, value], index) => {
      names[`#d${index}`] = dimension;
      values[`:a${index}`] = value;
      values[`:max${index}`] = (resource.capacity[dimension] ?? 0) - value;
      updates.push(`#used.#d${index} = #used.#d${index} + :a${index}`);
      // The arithmetic of `dimensionsShort`: used > capacity - demand does not fit.
      conditions.push(`#used.#d${index} <= :max${index}`);
    });
    const group = occupant.constraints?.antiAffinityGroup;
    if (group) {
      names['#groups'] = 'groups';
      names['#g'] = group;
      values[':w'] = occupant.workloadId;
      updates.push('#groups.#g = :w');
      conditions.push('attribute_not_exists(#groups.#g)');
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${updates.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return 'occupied';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Taken under this token already (a retried write that went through): nothing more to take.
      const item = await readItem(this.client, this.tableName, key);
      const members = item && openedResource(item)?.members;
      return members?.[occupant.workloadId]?.token === token ? 'occupied' : 'conflict';
    }
  }

  async vacate(tenantId: string, resourceId: string, occupant: Occupant, token?: string): Promise<void> {
    const names: Record<string, string> = {
      '#members': 'members',
      '#used': 'used',
      '#w': occupant.workloadId,
    };
    const values: Record<string, unknown> = {};
    let condition = 'attribute_exists(#members.#w)';
    if (token) {
      names['#token'] = 'token';
      values[':token'] = token;
      condition = '#members.#w.#token = :token';
    }
    const updates = Object.entries(occupant.demand).map(([dimension, value], index) => {
      names[`#d${index}`] = dimension;
      values[`:a${index}`] = value;
      return `#used.#d${index} = #used.#d${index} - :a${index}`;
    });
    const removals = ['#members.#w'];
    const group = occupant.constraints?.antiAffinityGroup;
    if (group) {
      names['#groups'] = 'groups';
      names['#g'] = group;
      removals.push('#groups.#g');
    }
    // Nothing held (never taken, or already given back) fails the condition: that is success.
    await writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.resource(tenantId, resourceId),
        UpdateExpression: `SET ${updates.join(', ')} REMOVE ${removals.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}

export function resourceOf(item: Record<string, unknown>): ResourceRecord {
  return parseItem(resourceRecord, 'resource', item);
}

/**
 * A resource item, or `undefined` for the tombstone `closeResource` leaves at a resource it did not
 * know: that only keeps an allocation announced late closed, and is no resource to place on.
 */
function openedResource(item: Record<string, unknown>): ResourceRecord | undefined {
  return item.entity === TOMBSTONE ? undefined : resourceOf(item);
}
