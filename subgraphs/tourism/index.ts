import { runStandalone } from '../kit/standalone';
import { tourism } from './server';

void runStandalone(tourism);
