import { runStandalone } from '../kit/standalone';
import { codes } from './server';

void runStandalone(codes);
