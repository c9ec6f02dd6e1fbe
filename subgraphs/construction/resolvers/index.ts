import type { Resolvers } from '../__generated__/resolvers-types';
import { Applicant } from './Applicant';
import { ConstructionPermit } from './ConstructionPermit';
import { LandParcel } from './LandParcel';
import { Query } from './Query';

export const resolvers: Resolvers = { Query, ConstructionPermit, LandParcel, Applicant };
