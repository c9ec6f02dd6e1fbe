import type { AccessContext } from './context';
import { ledgerId } from './input';
import { isPartyOrGovernance } from './policy';
import type { GrantRow, RequestRow } from './store';

/**
 * A request or grant is visible to its consumer, its provider and governance only; to anyone else
 * it is indistinguishable from an unknown id (null). Root fields and entity references both use these.
 */
export async function visibleRequest(context: AccessContext, id: string): Promise<RequestRow | null> {
  if (context.caller.kind !== 'official') return null;
  const row = await context.requestById.load(ledgerId(id));
  return row && isPartyOrGovernance(context.caller, row.consumer_agency, row.provider_agency) ? row : null;
}

export async function visibleGrant(context: AccessContext, id: string): Promise<GrantRow | null> {
  if (context.caller.kind !== 'official') return null;
  const row = await context.grantById.load(ledgerId(id));
  return row && isPartyOrGovernance(context.caller, row.consumer_agency, row.provider_agency) ? row : null;
}
