import type { Resolvers } from '../__generated__/resolvers-types';
import { Citizen } from './Citizen';
import { CommunePopulation } from './CommunePopulation';
import { Household } from './Household';
import { Query } from './Query';

export const resolvers: Resolvers = { Query, Citizen, Household, CommunePopulation };
