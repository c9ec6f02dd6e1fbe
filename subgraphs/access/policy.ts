import { GraphQLError } from 'graphql';
import type { Caller } from '../kit/identity';

/** The code of a refusal by the ledger's workflow rules (who may decide, request, consent). */
export const FORBIDDEN = 'FORBIDDEN';

export type Official = Extract<Caller, { kind: 'official' }>;
export type Citizen = Extract<Caller, { kind: 'citizen' }>;

/** A refusal by the workflow rules: Vietnamese first, English in parentheses. */
export function forbidden(vi: string, en: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(`${vi} (${en})`, { extensions: { code: FORBIDDEN, ...extensions } });
}

/** The caller as an official of a state agency; FORBIDDEN for anyone else. */
export function requireOfficial(caller: Caller): Official {
  if (caller.kind === 'official') return caller;
  throw forbidden('Chỉ cán bộ của cơ quan nhà nước được thực hiện thao tác này.', 'Only state agency officials may do this.');
}

/** The caller as a citizen; FORBIDDEN for officials and anonymous callers. */
export function requireCitizen(caller: Caller): Citizen {
  if (caller.kind === 'citizen') return caller;
  throw forbidden(
    'Chỉ công dân, về dữ liệu của chính mình, được thực hiện thao tác này.',
    'Only a citizen, about their own records, may do this.',
  );
}

export function isGovernance(caller: Caller): boolean {
  return caller.kind === 'official' && caller.roles.includes('governance');
}

/** The caller as a governance official (the governing department's registry role); FORBIDDEN otherwise. */
export function requireGovernance(caller: Caller): Official {
  const official = requireOfficial(caller);
  if (isGovernance(official)) return official;
  throw forbidden('Chỉ vai trò quản trị (governance) được xem toàn bộ sổ cái.', 'Only the governance role may see the whole ledger.');
}

/**
 * The caller as an official with role `owner` of the provider: only the provider decides on
 * requests to it and on the grants it gave (Quy chế, Điều 16). FORBIDDEN otherwise.
 */
export function requireProviderOwner(caller: Caller, provider: string): Official {
  const official = requireOfficial(caller);
  if (official.agency !== provider) {
    throw forbidden(
      `Chỉ bên cung cấp (${provider}) được quyết định; cơ quan của bạn là ${official.agency}.`,
      `Only the provider (${provider}) may decide; your agency is ${official.agency}.`,
      { provider },
    );
  }
  if (!official.roles.includes('owner')) {
    throw forbidden(
      `Cần vai trò owner (chủ quản dữ liệu) của ${provider} để quyết định.`,
      `The owner role of ${provider} is required to decide.`,
      { provider, requiredRole: 'owner' },
    );
  }
  return official;
}

/** Whether the caller may see a request or grant between `consumer` and `provider`. */
export function isPartyOrGovernance(caller: Caller, consumer: string, provider: string): boolean {
  if (caller.kind !== 'official') return false;
  return caller.agency === consumer || caller.agency === provider || isGovernance(caller);
}
