// The engine's dedicated worker: everything lives in src/lib/engine; this file only starts it.
import { startEngineWorker } from '../src/lib/engine/engine-worker';

startEngineWorker();
