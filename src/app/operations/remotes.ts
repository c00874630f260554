// The remotes the coordination repo shares with: add, remove, list with the last share of each.
import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { forgetRemoteState, readRemoteState } from '../share-state.js';

export interface RemoteView {
  name: string;
  url: string;
  /** ISO time of the last share, null when never. */
  lastSync: string | null;
  ok: boolean | null;
  error: string | null;
}

/** Errors: REMOTE_EXISTS; the store's (GIT_FAILED) for a name git refuses. */
export async function addRemote(ctx: AppContext, input: { name: string; url: string }): Promise<{ remote: string; url: string; added: true }> {
  if ((await ctx.store.listRemotes()).some((r) => r.name === input.name)) {
    throw new UserError('REMOTE_EXISTS', `remote ${input.name} already exists`, `remove it first: claude-orchestrator remote remove ${input.name}`);
  }
  const url = await ctx.store.addRemote(input.name, input.url);
  return { remote: input.name, url, added: true };
}

/** Removes the remote and what this machine noted of its shares. Errors: UNKNOWN_REMOTE. */
export async function removeRemote(ctx: AppContext, input: { name: string }): Promise<{ remote: string; removed: true }> {
  const remotes = await ctx.store.listRemotes();
  if (!remotes.some((r) => r.name === input.name)) {
    throw new UserError('UNKNOWN_REMOTE', `no remote named ${input.name}`, remotes.length ? `remotes: ${remotes.map((r) => r.name).join(', ')}` : 'there are no remotes');
  }
  await ctx.store.removeRemote(input.name);
  forgetRemoteState(ctx.paths.home, input.name);
  return { remote: input.name, removed: true };
}

export async function listRemotes(ctx: AppContext): Promise<{ remotes: RemoteView[] }> {
  const remotes = (await ctx.store.listRemotes()).map((r) => {
    const state = readRemoteState(ctx.paths.home, r.name);
    return { name: r.name, url: r.url, lastSync: state?.last.at ?? null, ok: state ? state.last.ok : null, error: state?.last.error ?? null };
  });
  return { remotes };
}
