// Child process for the store race tests: appends `count` records to a ref, one call per record,
// reading the tip back every few appends. Imports the built store (npm test builds first).
// Usage: node test/workers/store-append.js <gitDir> <ref> <count> <tag>
import { GitStore } from '../../dist/store/index.js';

const [gitDir, ref, count, tag] = process.argv.slice(2);
const store = await GitStore.open(gitDir, { create: false });
for (let i = 0; i < Number(count); i++) {
  const record = {
    v: 1,
    kind: 'session.heartbeat',
    id: `${tag}-${i}`,
    group: 'race',
    role: 'worker',
    session: tag,
    at: Date.now(),
    clock: i + 1,
  };
  const [sha] = await store.append(ref, [record]);
  if (i % 10 === 9) {
    const [commit] = await store.walk(sha, { limit: 1 });
    if (commit?.record?.id !== record.id) throw new Error(`read back ${commit?.record?.id}, wrote ${record.id}`);
  }
}
store.close();
