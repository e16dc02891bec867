/** The ledger: one DynamoDB table with string keys `pk` and `sk`, and the lease index. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { ledgerTableSchema } from '../../lambdas/adapters/ledger-keys';

/** On demand, point-in-time recovery, AWS-managed encryption; `retain` keeps it and its data past the stack. */
export function buildLedgerTable(scope: Construct, id: string, retain: boolean): Table {
  const { partitionKey, sortKey, leaseIndex } = ledgerTableSchema;
  const table = new Table(scope, id, {
    partitionKey: { name: partitionKey, type: AttributeType.STRING },
    sortKey: { name: sortKey, type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: TableEncryption.AWS_MANAGED,
    // The ledger holds reservations and leases that exist nowhere else.
    deletionProtection: retain,
    removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  table.addGlobalSecondaryIndex({
    indexName: leaseIndex.indexName,
    partitionKey: { name: leaseIndex.partitionKey, type: AttributeType.STRING },
    sortKey: { name: leaseIndex.sortKey, type: AttributeType.STRING },
  });
  return table;
}
