import { randomUUID } from 'node:crypto';
import { subjectField, callerIsSubject } from '../kit/authorisation';
import type { SubgraphDefinition } from '../kit/server';
import { committedCatalogue, FollowedCatalogue, LEDGER_SUBGRAPH, type FieldCatalogue } from './catalogue';
import { DISCLOSURES_PATH, disclosuresRoute } from './disclosures';
import { FIELD_CONSUMERS_PATH, FIELD_CONSUMERS_PURPOSE, GRANTS_PATH, ledgerReaderPurpose } from './client';
import { createAccessContext, type AccessContext, type LedgerSettings } from './context';
import { fieldConsumersRoute, grantsRoute } from './internal-grants';
import { resolvers } from './resolvers';
import { seedAccess } from './seed';

export interface LedgerOptions {
  /** The ledger's clock (tests move it); the system clock by default. */
  readonly now?: () => Date;
  /**
   * The field catalogue to start from; the committed supergraph's by default. Where a registry is
   * configured (followSupergraph), the registry's current supergraph replaces it.
   */
  readonly catalogue?: () => FieldCatalogue;
}

/**
 * The access ledger of the governing department (Sở KH&CN): the province's sharing-service
 * management system (Quy chế, Điều 9), with its GraphQL workflow, the providers' service routes
 * (GET /internal/grants, POST /internal/disclosures) and the schema registry's (GET
 * /internal/field-consumers), each keyed by `trust.serviceSecret`, which the gateway's master secret derives.
 */
export function accessLedger(options: LedgerOptions = {}): SubgraphDefinition<AccessContext> {
  const catalogue = new FollowedCatalogue(options.catalogue ?? committedCatalogue);
  const settings: LedgerSettings = {
    now: options.now ?? (() => new Date()),
    newId: randomUUID,
    catalogue: catalogue.current,
  };
  return {
    name: LEDGER_SUBGRAPH,
    // The ledger's own fields are read under its rules (requests and grants by their parties, a
    // citizen's consents and disclosures by that citizen): no grant opens them (see fields.ts).
    grantable: false,
    dir: __dirname,
    resolvers,
    createContext: (base) => createAccessContext(base, settings),
    // A consent's data subject is the citizen who gave it; a page of consents is one citizen's.
    // The consent operations act only on the calling citizen's own consents.
    subjects: {
      DataConsent: subjectField('personal_id'),
      DataConsentConnection: subjectField('subject'),
      'Query.myConsents': callerIsSubject,
      'Query.myDisclosures': callerIsSubject,
      DataDisclosure: subjectField('subject'),
      DataDisclosureConnection: subjectField('subject'),
      DisclosureGapNotice: subjectField('subject'),
      'Mutation.giveConsent': callerIsSubject,
      'Mutation.withdrawConsent': callerIsSubject,
    },
    seed: (db) => seedAccess(db, settings.catalogue),
    // The ledger provides no agency data: its requests, grants and consents are themselves the record.
    disclosureLog: false,
    // A request may name any field of the graph being served, including one published a moment ago.
    followSupergraph: (feed, logger) => catalogue.follow(feed, logger),
    routes: (db, trust, logger) => {
      const serviceSecret = trust.serviceSecret;
      const readerSecret = serviceSecret ? (provider: string) => serviceSecret(ledgerReaderPurpose(provider)) : null;
      return {
        [GRANTS_PATH]: grantsRoute(db, readerSecret, settings),
        [DISCLOSURES_PATH]: disclosuresRoute(db, readerSecret, logger),
        [FIELD_CONSUMERS_PATH]: fieldConsumersRoute(db, serviceSecret ? serviceSecret(FIELD_CONSUMERS_PURPOSE) : null, settings),
      };
    },
  };
}

/** The access ledger on the system clock, over the committed supergraph until it follows a registry. */
export const access = accessLedger();
