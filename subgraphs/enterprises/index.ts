import { runStandalone } from '../kit/standalone';
import { enterprises } from './server';

void runStandalone(enterprises);
