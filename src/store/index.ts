// The store's public surface: the only module code outside src/store imports. The coordination
// repo behind `CoordinationStore` (git and in-memory), its errors and ref layout, and the
// read-only git access to member repos (git only: they are the user's repos, not ours).
export type {
  AppendOptions, Author, CommitVerdict, CoordinationStore, FetchResult, LogOptions, PushRefResult, PushUpdate, RecordSigning, RemoteInfo, Signature,
  StoredCommit, TextMerge, TrackingMove, TransportOptions, TreeEntry, WalkOptions,
} from './types.js';
export { DEFAULT_PREFIXES, GitStore, openGitStore, type GitStoreOptions } from './git/store.js';
export { readRefTipsSync } from './git/refs.js';
export { localRemotePath, mergeTexts } from './git/transport.js';
export { MemoryStore } from './memory.js';
export { IndexCache } from './read-cache.js';
export { StaleRefError, StoreError, type StoreErrorCode } from './errors.js';
export {
  ARCHIVE_NAMESPACE, archiveRefFor, BASELINE_PATH, changesRef, incomingNamespace, NAMESPACE, parseArchiveRef, remoteNamespace, sessionRef, SIGNERS_PATH, SIGNERS_REF,
  TOPOLOGY_PATH, TOPOLOGY_REF,
} from './layout.js';
// Member repos (git only).
export { readMemberGitState, type MemberGitState } from './member-repo.js';
export { dirtyFiles, ignoredPaths } from './worktree-status.js';
export { readHookSettings, type HookSettings } from './member-hooks.js';
export {
  canonical, findGitDirs, listWorktreeLogs, readCommits, readReflog, stateDirOf, type CommitInfo, type GitDirs, type ReflogEntry, type WorktreeLog,
} from './member-log.js';
export * from './ingest-lock.js';
export {
  changedPaths, headCommit, namesMentioned, readBlobsAt, readWorktreeFile, type BlobRead, type ChangedPath,
} from './member-contracts.js';
