/**
 * How Baton names what it creates in a stage: `baton-<stage>` (the bus, the schema registry) and
 * `baton-<stage>-<part>` (functions, state machines, rules, the local ledger), in the cloud and in
 * the embedded runtime (stage `local`) alike.
 */
export function batonName(stage: string, part?: string): string {
  return part === undefined ? `baton-${stage}` : `baton-${stage}-${part}`;
}
