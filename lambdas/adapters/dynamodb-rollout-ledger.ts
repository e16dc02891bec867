/**
 * The rollout ledger on DynamoDB: an alias's lock is one item taken with a conditional put; a
 * rollout's record carries its state, the gate it waits at, the signal waiting for it and the
 * rollback begun, each changed by one conditional write so that a signal is delivered by exactly
 * one taker and no success is recorded once a rollback has begun.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENDING_SIGNALS } from '../core/rollouts/errors';
import {
  ENDED_STATUSES,
  type Gate,
  type RolloutEnding,
  type RolloutLedger,
  type RolloutRecord,
  type RolloutSignal,
  type RolloutState,
  type UnsuccessfulEnding,
} from '../core/rollouts/rollout';
import {
  isConditionFailure,
  queryPartition,
  readItem,
  withoutUndefined,
  writeConditionally,
} from './ledger-items';
import { alarmPartition, ledgerKeys } from './ledger-keys';
import { lockHolderOf, rolloutOf, watchingRolloutOf } from './rollout-items';

/** The condition that no ending signal waits on the record: a pause, resume or promote must not overwrite one. */
const NO_ENDING_SIGNAL = {
  condition: `attribute_not_exists(#signal) OR NOT (#signal.#kind IN (${ENDING_SIGNALS.map((_, i) => `:ending${i}`).join(', ')}))`,
  values: Object.fromEntries(ENDING_SIGNALS.map((kind, i) => [`:ending${i}`, kind])),
};

/** The condition that a rollout is still under way: its record exists and has not ended. */
const UNDER_WAY = {
  condition: `attribute_exists(pk) AND NOT (#status IN (${[...ENDED_STATUSES].map((_, i) => `:ended${i}`).join(', ')}))`,
  names: { '#status': 'status' },
  values: Object.fromEntries([...ENDED_STATUSES].map((status, i) => [`:ended${i}`, status])),
};

/** Under way, and no rollback begun: the rollout may still take a step, wait at a gate, or succeed. */
const GOING_ON = {
  condition: `${UNDER_WAY.condition} AND attribute_not_exists(#rollingBack)`,
  names: { ...UNDER_WAY.names, '#rollingBack': 'rollingBack' },
  values: UNDER_WAY.values,
};

/** A named condition on the rollout's record, with the names and values it uses. */
type Condition = typeof UNDER_WAY;

/** Record fields that say how the rollout stands, beyond the workflow's state: each is set or removed. */
type RecordFields = Record<string, unknown>;

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
    return lock ? { holder: lockHolderOf(lock) } : this.lockAlias(functionName, alias, rolloutId, at);
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

  async aliasHolder(functionName: string, alias: string): Promise<string | undefined> {
    const lock = await readItem(this.client, this.tableName, ledgerKeys.aliasLock(functionName, alias));
    return lock ? lockHolderOf(lock) : undefined;
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
    return item ? rolloutOf(item) : undefined;
  }

  saveRollout(
    state: RolloutState,
    status: 'RUNNING' | 'PAUSED',
    at: Date,
    reason?: string,
  ): Promise<boolean> {
    return writeConditionally(this.client, this.recordUpdate(state, { status, reason }, at, GOING_ON));
  }

  async beginRollback(rolloutId: string, ending: UnsuccessfulEnding, at: Date): Promise<RolloutRecord> {
    const update = new UpdateCommand({
      TableName: this.tableName,
      Key: ledgerKeys.rollout(rolloutId),
      UpdateExpression: 'SET #rollingBack = :ending, updatedAt = :at',
      ConditionExpression: GOING_ON.condition,
      ExpressionAttributeNames: GOING_ON.names,
      ExpressionAttributeValues: {
        ...GOING_ON.values,
        ':ending': withoutUndefined(ending),
        ':at': at.toISOString(),
      },
      ReturnValues: 'ALL_NEW',
    });
    return this.updatedOrAsItIs(rolloutId, update, 'marked as rolling back');
  }

  endRollout(state: RolloutState, ending: RolloutEnding, at: Date): Promise<RolloutRecord> {
    const { status, reason, evidence, explanation } = ending;
    const fields = { status, reason, evidence, explanation, endingAnnounced: undefined };
    // A success is refused once a rollback has begun; any other ending finishes that rollback.
    const condition = status === 'SUCCEEDED' ? GOING_ON : UNDER_WAY;
    const update = this.recordUpdate(state, fields, at, condition, 'ALL_NEW');
    return this.updatedOrAsItIs(state.rolloutId, update, 'ended');
  }

  /** The record as the update left it — or, its condition failing, as it is (that ending or rollback stands). */
  private async updatedOrAsItIs(
    rolloutId: string,
    update: UpdateCommand,
    doing: string,
  ): Promise<RolloutRecord> {
    try {
      const { Attributes } = await this.client.send(update);
      return rolloutOf(Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const record = await this.rollout(rolloutId);
    if (!record) throw new Error(`rollout ${rolloutId} vanished while it was ${doing}`);
    return record;
  }

  async markEndingAnnounced(rolloutId: string): Promise<void> {
    await writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.rollout(rolloutId),
        UpdateExpression: 'SET endingAnnounced = :yes',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
  }

  /**
   * The record brought up to the workflow's state and the given fields (an undefined one is
   * removed), its gate closed — on the given condition (the rollout under way, or going on).
   */
  private recordUpdate(
    state: RolloutState,
    fields: RecordFields,
    at: Date,
    condition: Condition,
    returnValues?: 'ALL_NEW',
  ): UpdateCommand {
    const names: Record<string, string> = { ...condition.names, '#gate': 'gate' };
    const values: Record<string, unknown> = { ...condition.values };
    const sets: string[] = [];
    // A state without revisionId (after drift) must not keep the old one.
    const removals = ['#gate'];
    const assign = (name: string, value: unknown) => {
      const index = Object.keys(names).length;
      names[`#f${index}`] = name;
      if (value === undefined) removals.push(`#f${index}`);
      else {
        values[`:f${index}`] = value;
        sets.push(`#f${index} = :f${index}`);
      }
    };
    for (const [name, value] of Object.entries({ ...state, ...fields, updatedAt: at.toISOString() })) {
      if (name !== 'status')
        assign(name, value === undefined ? undefined : withoutUndefined({ value }).value);
    }
    sets.push('#status = :status');
    values[':status'] = fields.status;
    return new UpdateCommand({
      TableName: this.tableName,
      Key: ledgerKeys.rollout(state.rolloutId),
      UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removals.join(', ')}`,
      ConditionExpression: condition.condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ...(returnValues ? { ReturnValues: returnValues } : {}),
    });
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
    return items.map(watchingRolloutOf);
  }

  async openGate(rolloutId: string, gate: Gate, at: Date): Promise<RolloutRecord | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerKeys.rollout(rolloutId),
          // A pause gate marks the rollout PAUSED, a bake gate RUNNING again (after a resume).
          UpdateExpression: 'SET #gate = :gate, updatedAt = :at, #status = :status',
          ConditionExpression: GOING_ON.condition,
          ExpressionAttributeNames: { ...GOING_ON.names, '#gate': 'gate' },
          ExpressionAttributeValues: {
            ...GOING_ON.values,
            ':gate': { token: gate.token, kind: gate.kind },
            ':at': at.toISOString(),
            ':status': gate.kind === 'pause' ? 'PAUSED' : 'RUNNING',
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return rolloutOf(Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async leaveSignal(
    rolloutId: string,
    signal: RolloutSignal,
  ): Promise<{ left: boolean; record: RolloutRecord }> {
    const ending = (ENDING_SIGNALS as readonly string[]).includes(signal.kind);
    const left = await writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.rollout(rolloutId),
        UpdateExpression: 'SET #signal = :signal',
        ConditionExpression: ending
          ? 'attribute_exists(pk)'
          : `attribute_exists(pk) AND (${NO_ENDING_SIGNAL.condition})`,
        ExpressionAttributeNames: { '#signal': 'signal', ...(ending ? {} : { '#kind': 'kind' }) },
        ExpressionAttributeValues: {
          ':signal': withoutUndefined(signal),
          ...(ending ? {} : NO_ENDING_SIGNAL.values),
        },
      }),
    );
    const record = await this.rollout(rolloutId);
    if (!record) throw new Error(`rollout ${rolloutId} vanished while a signal was left for it`);
    return { left, record };
  }

  takeSignal(rolloutId: string, signalId: string): Promise<boolean> {
    return writeConditionally(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKeys.rollout(rolloutId),
        UpdateExpression: 'SET lastSignalId = :id REMOVE #signal',
        ConditionExpression: '#signal.signalId = :id',
        ExpressionAttributeNames: { '#signal': 'signal' },
        ExpressionAttributeValues: { ':id': signalId },
      }),
    );
  }
}
