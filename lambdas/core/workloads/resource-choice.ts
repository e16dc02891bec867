/**
 * What a caller may rule out when a resource is chosen for a workload, apart from whether the
 * resource takes it: shared by the scan (`chooseResource`) and the fit index, which must agree.
 */
import type { ClusterUsage } from './cluster-usage';

export interface ResourceChoice {
  /** Resources it may not go to: it left them within the cooldown. */
  readonly avoid?: ReadonlySet<number> | undefined;
  /** Only resources that already run something: emptying one resource must not start another. */
  readonly occupiedOnly?: boolean | undefined;
}

/** Whether `choice` lets `w` go to `r`: never where it is, nor where the choice rules out. */
export function choiceAllows(
  usage: ClusterUsage,
  w: number,
  r: number,
  { avoid, occupiedOnly }: ResourceChoice,
): boolean {
  return r !== usage.locationOf(w) && !avoid?.has(r) && !(occupiedOnly && usage.occupantsOf(r).size === 0);
}
