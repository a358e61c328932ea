// Reads a stored model's shards for the engine worker, which starts it: see src/lib/store/shard-reader.ts.
import { startShardReader } from '../src/lib/store/shard-reader';

startShardReader();
