import type { Resolvers } from '../__generated__/resolvers-types';
import { Citizen } from './Citizen';
import { Enterprise } from './Enterprise';
import { LandHolder } from './LandHolder';
import { LandParcel } from './LandParcel';
import { LandUseCertificate } from './LandUseCertificate';
import { Query } from './Query';

export const resolvers: Resolvers = { Query, LandParcel, LandUseCertificate, LandHolder, Citizen, Enterprise };
