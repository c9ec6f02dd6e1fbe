import type { Resolvers } from '../__generated__/resolvers-types';
import { AccessAgency } from './AccessAgency';
import { AccessGrant } from './AccessGrant';
import { AccessGrantEvent } from './AccessGrantEvent';
import { AccessNotification } from './AccessNotification';
import { AccessRequest } from './AccessRequest';
import { DataConsent } from './DataConsent';
import { DataDisclosure } from './DataDisclosure';
import { DataDisclosureConnection } from './DataDisclosureConnection';
import { DisclosureGap } from './DisclosureGap';
import { DisclosureGapNotice } from './DisclosureGapNotice';
import { DisclosureUsage } from './DisclosureUsage';
import { Mutation } from './Mutation';
import { OpenDataFeedback, OpenDataFeedbackTicket } from './OpenDataFeedback';
import { Query } from './Query';

export const resolvers: Resolvers = { Query, Mutation, AccessAgency, AccessRequest, AccessGrant, AccessGrantEvent, AccessNotification, DataConsent, DataDisclosure, DataDisclosureConnection, DisclosureGap, DisclosureGapNotice, DisclosureUsage, OpenDataFeedback, OpenDataFeedbackTicket };
