import { runStandalone } from '../kit/standalone';
import { access } from './server';

void runStandalone(access);
