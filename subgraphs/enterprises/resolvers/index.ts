import type { Resolvers } from '../__generated__/resolvers-types';
import { Citizen } from './Citizen';
import { Enterprise } from './Enterprise';
import { EnterpriseBusinessLine } from './EnterpriseBusinessLine';
import { Query } from './Query';

export const resolvers: Resolvers = { Query, Enterprise, EnterpriseBusinessLine, Citizen };
