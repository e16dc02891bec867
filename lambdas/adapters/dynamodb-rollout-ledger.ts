/**
 * The rollout ledger on DynamoDB: an alias's lock is one item taken with a conditional put; a
 * rollout's record carries its state, the gate it waits at and the signal waiting for it, each
 * changed by one conditional write so that a signal is delivered by exactly one taker.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  Gate,
  RolloutLedger,
  RolloutRecord,
  RolloutSignal,
  RolloutState,
  RolloutStatus,
} from '../core/rollouts/rollout';
import { queryPartition, readItem, withoutUndefined, writeConditionally } from './ledger-items';
import { alarmPartition, ledgerKeys } from './ledger-keys';

/** Signals that end a rollout: a later pause, resume or promote must not overwrite one. */
const ENDING_SIGNALS = ['abort', 'alarm', 'supersede'];

export class DynamoDbRolloutLedger implements RolloutLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async lockAlias(
    functionName: string,
    alias: string,
    rolloutId: string,
    at: Date,
    replacing?: string,
  ): Promise<{ holder: string }> {
    const key = ledgerKeys.aliasLock(functionName, alias);
    const taken = await writeConditionally(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...key, entity: 'alias-lock', functionName, alias, rolloutId, lockedAt: at.toISOString() },
        ConditionExpression: `attribute_not_exists(pk) OR rolloutId IN (:me${replacing ? ', :ended' : ''})`,
        ExpressionAttributeValues: { ':me': rolloutId, ...(replacing ? { ':ended': replacing } : {}) },
      }),
    );
    if (taken) return { holder: rolloutId };
    const lock = await readItem(this.client, this.tableName, key);
    // Freed between the write and the read: try again.
    return lock ? { holder: String(lock.rolloutId) } : this.lockAlias(functionName, alias, rolloutId, at);
  }

  async unlockAlias(functionName: string, alias: string, rolloutId: string): Promise<void> {
    await writeConditionally(
      this.client,
      new DeleteCommand({
        TableName: this.tableName,
        Key: ledgerKeys.aliasLock(functionName, alias),
        ConditionExpression: 'rolloutId = :me',
        ExpressionAttributeValues: { ':me': rolloutId },
      }),
    );
  }

  createRollout(record: RolloutRecord): Promise<boolean> {
    return writeConditionally(
      this.client,
      new PutCommand({
        TableName: this.tableName,
        Item: { ...ledgerKeys.rollout(record.rolloutId), entity: 'rollout', ...withoutUndefined(record) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async rollout(rolloutId: string): Promise<RolloutRecord | undefined> {
    const item = await readItem(this.client, this.tableName, ledgerKeys.rollout(rolloutId));
    if (!item) return undefined;
    // The record without the item's keys, so that it can be saved back as it is.
    const { pk, sk, entity, ...record } = item;
    return record as unknown as RolloutRecord;
  }

  async saveRollout(state: RolloutState, status: RolloutStatus, at: Date, reason?: string): Promise<void> {
    const fields: Record<string, unknown> = {
      ...withoutUndefined(state),
      status,
      updatedAt: at.toISOString(),
    };
    const names: Record<string, string> = { '#gate': 'gate', '#reason': 'reason' };
    const values: Record<string, unknown> = {};
    const sets = Object.entries(fields).map(([name, value], index) => {
      names[`#f${index}`] = name;
      values[`:f${index}`] = value;
      return `#f${index} = :f${index}`;
    });
    const removals = ['#gate'];
    if (reason === undefined) removals.push('#reason');
    else {
      values[':reason'] = reason;
      sets.push('#reason = :reason');
    }
    // A state without revisionId (after drift) must not keep the old one.
    if (state.revisionId === undefined) {
      names['#revisionId'] = 'revisionId';
      removals.push('#revisionId');
    }
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.rollout(state.rolloutId),
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removals.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async watchAlarms(rolloutId: string, alarms: readonly string[]): Promise<void> {
    for (const alarmName of alarms) {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...ledgerKeys.alarmWatch(alarmName, rolloutId),
            entity: 'alarm-watch',
            alarmName,
            rolloutId,
          },
        }),
      );
    }
  }

  async unwatchAlarms(rolloutId: string, alarms: readonly string[]): Promise<void> {
    for (const alarmName of alarms) {
      await this.client.send(
        new DeleteCommand({ TableName: this.tableName, Key: ledgerKeys.alarmWatch(alarmName, rolloutId) }),
      );
    }
  }

  async rolloutsWatching(alarmName: string): Promise<string[]> {
    const items = await queryPartition(this.client, this.tableName, alarmPartition(alarmName));
    return items.map((item) => String(item.rolloutId));
  }

  async openGate(rolloutId: string, gate: Gate, at: Date): Promise<RolloutRecord> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.rollout(rolloutId),
        // A pause gate marks the rollout PAUSED, a bake gate RUNNING again (after a resume).
        UpdateExpression: 'SET #gate = :gate, updatedAt = :at, #status = :status',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#gate': 'gate', '#status': 'status' },
        ExpressionAttributeValues: {
          ':gate': { token: gate.token, kind: gate.kind },
          ':at': at.toISOString(),
          ':status': gate.kind === 'pause' ? 'PAUSED' : 'RUNNING',
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes as RolloutRecord;
  }

  async leaveSignal(rolloutId: string, signal: RolloutSignal): Promise<RolloutRecord> {
    const ending = ENDING_SIGNALS.includes(signal.kind);
    await writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.rollout(rolloutId),
        UpdateExpression: 'SET #signal = :signal',
        ConditionExpression: ending
          ? 'attribute_exists(pk)'
          : 'attribute_exists(pk) AND (attribute_not_exists(#signal) OR NOT (#signal.#kind IN (:abort, :alarm, :supersede)))',
        ExpressionAttributeNames: { '#signal': 'signal', ...(ending ? {} : { '#kind': 'kind' }) },
        ExpressionAttributeValues: {
          ':signal': withoutUndefined(signal),
          ...(ending ? {} : { ':abort': 'abort', ':alarm': 'alarm', ':supersede': 'supersede' }),
        },
      }),
    );
    const record = await this.rollout(rolloutId);
    if (!record) throw new Error(`rollout ${rolloutId} vanished while a signal was left for it`);
    return record;
  }

  takeSignal(rolloutId: string, signalId: string): Promise<boolean> {
    return writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.rollout(rolloutId),
        UpdateExpression: 'REMOVE #signal',
        ConditionExpression: '#signal.signalId = :id',
        ExpressionAttributeNames: { '#signal': 'signal' },
        ExpressionAttributeValues: { ':id': signalId },
      }),
    );
  }
}
