import { runStandalone } from '../kit/standalone';
import { land } from './server';

void runStandalone(land);
