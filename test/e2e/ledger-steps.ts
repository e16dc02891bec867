/**
 * The allocation ledger with every call passed through a hook that knows its step — the port and
 * the method, and for a capacity holder's the holder's kind (`holders.reserve:quota`) — so that a
 * test can fail, kill or race a saga or a release at one step.
 */
import type {
  AllocationLedger,
  AllocationRecords,
  CapacityHolder,
  RequestClaims,
} from '../../lambdas/core/allocation/allocation-ledger';

type HolderChange = 'reserve' | 'returnHold' | 'settle' | 'release' | 'forgetReturn';

export type LedgerStep =
  | `claims.${keyof RequestClaims}`
  | `records.${keyof AllocationRecords}`
  | 'holders.poolsOfKind'
  | 'holders.quota'
  | `holders.${HolderChange}:${CapacityHolder['kind']}`;

/** Runs one ledger call (`call`) for `step`: as it is, or failing, or with something around it. */
export type AroundStep = (step: LedgerStep, call: () => Promise<unknown>) => Promise<unknown>;

export function intercepted(ledger: AllocationLedger, around: AroundStep): AllocationLedger {
  const wrap = <Port extends keyof AllocationLedger>(port: Port): AllocationLedger[Port] =>
    new Proxy(ledger[port], {
      get(target, property) {
        const method: unknown = Reflect.get(target, property);
        if (typeof method !== 'function') return method;
        return (...args: unknown[]) => {
          const holder =
            port === 'holders' && typeof args[0] === 'object' ? `:${(args[0] as CapacityHolder).kind}` : '';
          const step = `${port}.${String(property)}${holder}` as LedgerStep;
          return around(step, () => (method as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        };
      },
    });
  return { holders: wrap('holders'), claims: wrap('claims'), records: wrap('records') };
}
