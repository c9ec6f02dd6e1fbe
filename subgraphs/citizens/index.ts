import { runStandalone } from '../kit/standalone';
import { citizens } from './server';

void runStandalone(citizens);
