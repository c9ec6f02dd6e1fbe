import type { Resolvers } from '../__generated__/resolvers-types';
import { AccommodationEstablishment } from './AccommodationEstablishment';
import { HeritageSite } from './HeritageSite';
import { Query } from './Query';

export const resolvers: Resolvers = { Query, HeritageSite, AccommodationEstablishment };
