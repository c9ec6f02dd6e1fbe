import { runStandalone } from '../kit/standalone';
import { construction } from './server';

void runStandalone(construction);
