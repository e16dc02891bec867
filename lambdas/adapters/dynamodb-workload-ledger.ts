/**
 * The workload ledger on DynamoDB: a tenant's resources and workloads in its partition. Room on a
 * resource is taken and given back by `DynamoDbResourceRoom`; a workload's item points at its
 * resource, and each change to it is one conditional write on what it must still be.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PoolView } from '../core/allocation/choose-pool';
import {
  type Announcer,
  type MoveInFlight,
  type Occupancy,
  type Occupant,
  type Placing,
  type ResourceRecord,
  type WorkloadLedger,
  type WorkloadRecord,
  workloadRecord,
} from '../core/workloads/workload-ledger';
import { DynamoDbResourceRoom, resourceOf } from './dynamodb-resource-room';
import { parseItem, queryPartition, readItem, withoutUndefined, writeConditionally } from './ledger-items';
import { ledgerKeys, tenantPartition, WORKLOAD_PREFIX, WORKLOAD_TENANTS_PARTITION } from './ledger-keys';
import { readPools } from './pool-items';

export class DynamoDbWorkloadLedger implements WorkloadLedger {
  private readonly room: DynamoDbResourceRoom;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.room = new DynamoDbResourceRoom(client, tableName);
  }

  async tenantWorkloads(
    tenantId: string,
  ): Promise<{ resources: ResourceRecord[]; workloads: WorkloadRecord[] }> {
    const items = await queryPartition(this.client, this.tableName, tenantPartition(tenantId));
    return {
      resources: items.filter((item) => item.entity === 'resource').map(resourceOf),
      workloads: items.filter((item) => item.entity === 'workload').map(workloadOf),
    };
  }

  async workload(tenantId: string, workloadId: string): Promise<WorkloadRecord | undefined> {
    const item = await readItem(this.client, this.tableName, ledgerKeys.workload(tenantId, workloadId));
    return item && workloadOf(item);
  }

  async pendingWorkloads(tenantId: string): Promise<WorkloadRecord[]> {
    const items = await queryPartition(
      this.client,
      this.tableName,
      tenantPartition(tenantId),
      {
        expression: 'attribute_not_exists(resourceId) OR attribute_exists(placementUnannounced)',
        values: {},
      },
      WORKLOAD_PREFIX,
    );
    return items.map(workloadOf);
  }

  resource(tenantId: string, resourceId: string): Promise<ResourceRecord | undefined> {
    return this.room.resource(tenantId, resourceId);
  }

  async workloadTenants(): Promise<string[]> {
    const items = await queryPartition(this.client, this.tableName, WORKLOAD_TENANTS_PARTITION);
    return items.map((item) => String(item.sk));
  }

  async workloadsInFlight(): Promise<WorkloadRecord[]> {
    const inFlight: WorkloadRecord[] = [];
    for (const tenantId of await this.workloadTenants()) {
      const items = await queryPartition(
        this.client,
        this.tableName,
        tenantPartition(tenantId),
        {
          expression:
            'attribute_exists(#move) OR attribute_exists(placing) OR attribute_exists(placementUnannounced)',
          names: { '#move': 'move' },
          values: {},
        },
        WORKLOAD_PREFIX,
      );
      inFlight.push(...items.map(workloadOf));
    }
    return inFlight;
  }

  pools(): Promise<PoolView[]> {
    return readPools(this.client, this.tableName);
  }

  async registerWorkload(workload: WorkloadRecord): Promise<boolean> {
    const created = await writeConditionally(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...ledgerKeys.workload(workload.tenantId, workload.workloadId),
          entity: 'workload',
          ...withoutUndefined(workload),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (created) {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...ledgerKeys.workloadTenant(workload.tenantId), entity: 'workload-tenant' },
        }),
      );
    }
    return created;
  }

  addResource(resource: ResourceRecord): Promise<void> {
    return this.room.addResource(resource);
  }

  closeResource(tenantId: string, resourceId: string): Promise<boolean> {
    return this.room.closeResource(tenantId, resourceId);
  }

  occupy(tenantId: string, resource: ResourceRecord, occupant: Occupant, token: string): Promise<Occupancy> {
    return this.room.occupy(tenantId, resource, occupant, token);
  }

  vacate(tenantId: string, resourceId: string, occupant: Occupant, token?: string): Promise<void> {
    return this.room.vacate(tenantId, resourceId, occupant, token);
  }

  notePlacing(tenantId: string, workloadId: string, placing: Placing, staleBefore: string): Promise<boolean> {
    return this.updateWorkload(tenantId, workloadId, {
      update: 'SET placing = :placing',
      condition:
        'attribute_exists(pk) AND attribute_not_exists(resourceId) AND (attribute_not_exists(placing) OR placing.#at < :stale)',
      names: { '#at': 'at' },
      values: { ':placing': { ...placing }, ':stale': staleBefore },
    });
  }

  async forgetPlacing(tenantId: string, workloadId: string, token: string): Promise<void> {
    await this.updateWorkload(tenantId, workloadId, {
      update: 'REMOVE placing',
      condition: 'placing.#token = :token',
      names: { '#token': 'token' },
      values: { ':token': token },
    });
  }

  assign(
    tenantId: string,
    workloadId: string,
    resourceId: string,
    token: string,
    announcer: Announcer,
  ): Promise<boolean> {
    return this.updateWorkload(tenantId, workloadId, {
      update: 'SET resourceId = :r, placementUnannounced = :announcer REMOVE pendingReason, placing',
      condition: 'attribute_not_exists(resourceId) AND placing.#token = :token',
      names: { '#token': 'token' },
      values: { ':r': resourceId, ':token': token, ':announcer': { ...announcer } },
    });
  }

  claimPlacementAnnouncement(
    tenantId: string,
    workloadId: string,
    resourceId: string,
    announcer: Announcer,
    staleBefore: string,
  ): Promise<boolean> {
    return this.updateWorkload(tenantId, workloadId, {
      update: 'SET placementUnannounced = :announcer',
      condition: 'resourceId = :r AND placementUnannounced.#at < :stale',
      names: { '#at': 'at' },
      values: { ':r': resourceId, ':announcer': { ...announcer }, ':stale': staleBefore },
    });
  }

  async releasePlacementAnnouncement(tenantId: string, workloadId: string, token: string): Promise<void> {
    await this.updateWorkload(tenantId, workloadId, {
      // The epoch: older than any deadline, so the next round takes it over at once.
      update: 'SET placementUnannounced.#at = :epoch',
      condition: 'placementUnannounced.#token = :token',
      names: { '#at': 'at', '#token': 'token' },
      values: { ':epoch': new Date(0).toISOString(), ':token': token },
    });
  }

  async markPlacementAnnounced(
    tenantId: string,
    workloadId: string,
    resourceId: string,
    token: string,
  ): Promise<void> {
    await this.updateWorkload(tenantId, workloadId, {
      update: 'REMOVE placementUnannounced',
      condition: 'resourceId = :r AND placementUnannounced.#token = :token',
      names: { '#token': 'token' },
      values: { ':r': resourceId, ':token': token },
    });
  }

  unassign(tenantId: string, workloadId: string, resourceId: string, reason: string): Promise<boolean> {
    return this.updateWorkload(tenantId, workloadId, {
      // Pending again: a placement not announced yet is no longer true, and never will be.
      update: 'SET pendingReason = :why REMOVE resourceId, placementUnannounced',
      condition: 'resourceId = :r AND attribute_not_exists(#move)',
      values: { ':r': resourceId, ':why': reason },
    });
  }

  async explainPending(tenantId: string, workloadId: string, reason: string): Promise<void> {
    await this.updateWorkload(tenantId, workloadId, {
      update: 'SET pendingReason = :why',
      condition: 'attribute_exists(pk) AND attribute_not_exists(resourceId)',
      values: { ':why': reason },
    });
  }

  beginMove(tenantId: string, workloadId: string, move: MoveInFlight): Promise<boolean> {
    return this.updateWorkload(tenantId, workloadId, {
      update: 'SET #move = :move',
      condition:
        'resourceId = :from AND (attribute_not_exists(#move) OR (#move.moveId = :id AND attribute_not_exists(#move.reverting)))',
      values: {
        ':move': withoutUndefined({
          moveId: move.moveId,
          from: move.from,
          to: move.to,
          executionId: move.executionId,
        }),
        ':from': move.from,
        ':id': move.moveId,
      },
    });
  }

  finishMove(tenantId: string, workloadId: string, move: MoveInFlight, movedAt: number): Promise<boolean> {
    return this.updateWorkload(tenantId, workloadId, {
      update: 'SET resourceId = :to, lastMove = :last REMOVE #move',
      condition: '#move.moveId = :id AND attribute_not_exists(#move.reverting)',
      values: { ':to': move.to, ':id': move.moveId, ':last': { from: move.from, to: move.to, movedAt } },
    });
  }

  markReverting(tenantId: string, workloadId: string, move: MoveInFlight): Promise<boolean> {
    return this.updateWorkload(tenantId, workloadId, {
      update: 'SET #move.reverting = :yes',
      condition: '#move.moveId = :id',
      values: { ':yes': true, ':id': move.moveId },
    });
  }

  abandonMove(tenantId: string, workloadId: string, move: MoveInFlight): Promise<boolean> {
    return this.updateWorkload(tenantId, workloadId, {
      update: 'REMOVE #move',
      condition: '#move.moveId = :id',
      values: { ':id': move.moveId },
    });
  }

  deleteWorkload(tenantId: string, workload: WorkloadRecord): Promise<boolean> {
    const values: Record<string, unknown> = {};
    const conditions = ['attribute_exists(pk)'];
    if (workload.resourceId === undefined) conditions.push('attribute_not_exists(resourceId)');
    else {
      conditions.push('resourceId = :r');
      values[':r'] = workload.resourceId;
    }
    if (workload.move === undefined) conditions.push('attribute_not_exists(#move)');
    else {
      conditions.push('#move.moveId = :m');
      values[':m'] = workload.move.moveId;
    }
    return writeConditionally(
      this.client,
      new DeleteCommand({
        TableName: this.tableName,
        Key: ledgerKeys.workload(tenantId, workload.workloadId),
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: { '#move': 'move' },
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
      }),
    );
  }

  private updateWorkload(
    tenantId: string,
    workloadId: string,
    change: {
      update: string;
      condition: string;
      names?: Record<string, string>;
      values: Record<string, unknown>;
    },
  ): Promise<boolean> {
    // `move` is spelled as a name wherever it appears, so no expression trips on a reserved word.
    const names: Record<string, string> = {
      ...(`${change.update} ${change.condition}`.includes('#move') ? { '#move': 'move' } : {}),
      ...change.names,
    };
    return writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.workload(tenantId, workloadId),
        UpdateExpression: change.update,
        ConditionExpression: change.condition,
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: change.values,
      }),
    );
  }
}

function workloadOf(item: Record<string, unknown>): WorkloadRecord {
  return parseItem(workloadRecord, 'workload', item);
}
