import type { Resolvers } from '../__generated__/resolvers-types';
import { AdministrativeUnit } from './AdministrativeUnit';
import { EthnicGroup } from './EthnicGroup';
import { LandUseType } from './LandUseType';
import { Query } from './Query';
import { VsicActivity } from './VsicActivity';

export const resolvers: Resolvers = { Query, AdministrativeUnit, EthnicGroup, LandUseType, VsicActivity };
