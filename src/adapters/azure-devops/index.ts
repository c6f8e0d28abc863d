import { run } from './main.js';

// The bundle's entry point: the agent executes this file and nothing else runs at import time.
void run();
