// The dashboard page: fetches JSON from its own server and draws it. No framework, no build.
// Every text that comes from records (summaries, tasks, descriptions, notes, names) is set with
// textContent or as an SVG text node, never parsed as HTML.
const token = new URLSearchParams(location.search).get('token') ?? '';
const SVG = 'http://www.w3.org/2000/svg';
const PAGE_SIZE = 50;

const state = {
  filters: { group: '', role: '', type: '', all: false },
  /** Cursors of the pages visited: cursors[i] loads page i (null: the newest). */
  cursors: [null],
  page: 0,
  shownIds: new Set(),
  version: null,
};

// ---- helpers --------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, params = {}) {
  const query = new URLSearchParams({ ...params, token });
  const response = await fetch(`${path}?${query}`, { cache: 'no-store' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.error || `${path}: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function shortSession(id) {
  return id && id.length > 20 ? `${id.slice(0, 18)}…` : id || '';
}

function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Keeps the end of a path, where the repo's name is. */
function clipStart(text, max) {
  return text.length > max ? `…${text.slice(text.length - max + 1)}` : text;
}

function timeOf(iso) {
  const d = new Date(iso);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

function untilText(iso) {
  const ms = Date.parse(iso) - Date.now();
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `in ${h}h ${String(m).padStart(2, '0')}m` : `in ${m}:${sec}`;
}

// ---- topology graph ------------------------------------------------------------------------

const NODE_W = 280;
const GAP_X = 90;
const GAP_Y = 24;
const LINE = 18;
const MAX_SESSIONS_SHOWN = 4;

/** Columns by dependency depth: roles that depend on nothing on the right, their dependents to the left. */
function layers(members) {
  const byRole = new Map(members.map((m) => [m.role, m]));
  const depth = new Map();
  const visit = (role, trail) => {
    if (depth.has(role)) return depth.get(role);
    if (trail.has(role)) return 0; // a cycle: the topology validation reports it
    trail.add(role);
    const deps = (byRole.get(role)?.dependsOn ?? []).filter((d) => byRole.has(d));
    const d = deps.length ? 1 + Math.max(...deps.map((dep) => visit(dep, trail))) : 0;
    trail.delete(role);
    depth.set(role, d);
    return d;
  };
  for (const m of members) visit(m.role, new Set());
  return depth;
}

function nodeHeight(member) {
  const lines = Math.max(1, Math.min(member.sessions.length, MAX_SESSIONS_SHOWN) + (member.sessions.length > MAX_SESSIONS_SHOWN ? 1 : 0));
  return 48 + lines * LINE + 8;
}

function drawGraph(group) {
  const members = group.members;
  const depth = layers(members);
  const maxDepth = Math.max(0, ...depth.values());
  const columns = Array.from({ length: maxDepth + 1 }, () => []);
  for (const m of members) columns[maxDepth - depth.get(m.role)].push(m);
  const pos = new Map();
  let height = 0;
  columns.forEach((column, c) => {
    let y = 10;
    for (const m of column) {
      const h = nodeHeight(m);
      pos.set(m.role, { x: 10 + c * (NODE_W + GAP_X), y, h });
      y += h + GAP_Y;
    }
    height = Math.max(height, y);
  });
  const width = 20 + columns.length * NODE_W + (columns.length - 1) * GAP_X;
  const root = svg('svg', { class: 'graph-svg', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  root.append(svg('title', {}, `Members of ${group.name} and their dependencies`));
  const defs = svg('defs');
  const marker = svg('marker', { id: `arrow-${group.name}`, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
  defs.append(marker);
  root.append(defs);

  for (const m of members) {
    const from = pos.get(m.role);
    for (const dep of m.dependsOn) {
      const to = pos.get(dep);
      if (!to) continue;
      const x1 = from.x + NODE_W;
      const y1 = from.y + 24;
      const x2 = to.x;
      const y2 = to.y + 24;
      const bend = Math.max(30, (x2 - x1) / 2);
      const edge = svg('path', {
        class: 'edge',
        d: x2 > x1 ? `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}` : `M${from.x},${y1} C${from.x - 60},${y1} ${to.x + NODE_W + 60},${y2} ${to.x + NODE_W},${y2}`,
        'marker-end': `url(#arrow-${group.name})`,
        'data-edge': `${m.role}->${dep}`,
      });
      edge.append(svg('title', {}, `${m.role} depends on ${dep}`));
      root.append(edge);
    }
  }

  for (const m of members) {
    const { x, y, h } = pos.get(m.role);
    const node = svg('g', { class: 'node', 'data-role': m.role, transform: `translate(${x},${y})` });
    node.append(svg('rect', { width: NODE_W, height: h, rx: 8 }));
    node.append(svg('text', { class: 'role', x: 12, y: 22 }, m.role));
    node.append(svg('text', { class: 'path', x: 12, y: 38 }, clipStart(m.path ?? 'not in the topology', 42)));
    let line = 0;
    if (m.sessions.length === 0) node.append(svg('text', { class: 'none', x: 12, y: 58 }, 'no session running'));
    for (const s of m.sessions.slice(0, MAX_SESSIONS_SHOWN)) {
      const ly = 58 + line * LINE;
      node.append(svg('circle', { class: `dot-${s.status}`, cx: 17, cy: ly - 4, r: 4 }));
      const label = `${s.status === 'stale' ? 'stale · ' : ''}${s.currentTask ?? 'no task given'}`;
      const text = svg('text', { class: 'session', x: 27, y: ly, 'data-session': s.sessionId }, clip(label, 36));
      text.append(svg('title', {}, `${s.sessionId} on ${s.host} (${s.status}, last seen ${s.lastSeen})${s.currentTask ? `\ntask: ${s.currentTask}` : ''}`));
      node.append(text);
      line++;
    }
    if (m.sessions.length > MAX_SESSIONS_SHOWN) node.append(svg('text', { class: 'none', x: 12, y: 58 + line * LINE }, `+${m.sessions.length - MAX_SESSIONS_SHOWN} more`));
    root.append(node);
  }
  return root;
}

function renderGroups(overview) {
  const box = document.getElementById('groups');
  box.replaceChildren();
  if (overview.groups.length === 0) {
    box.append(el('p', { class: 'muted' }, 'No groups yet: claude-orchestrator init writes an example topology.'));
    return;
  }
  for (const group of overview.groups) {
    const section = el('div', { class: 'group', 'data-group': group.name });
    const active = group.members.reduce((n, m) => n + m.sessions.filter((s) => s.status === 'active').length, 0);
    section.append(el('h3', {}, group.name, el('span', { class: 'muted small' }, `  ${group.members.length} members, ${active} active session${active === 1 ? '' : 's'}${group.description ? ` — ${group.description}` : ''}`)));
    section.append(el('div', { class: 'graph' }, drawGraph(group)));
    const edges = group.members.flatMap((m) => m.dependsOn.map((d) => `${m.role} → ${d}`));
    section.append(el('p', { class: 'edges-caption muted' }, edges.length ? `depends on: ${edges.join(', ')}` : 'no dependencies'));
    box.append(section);
  }
}

// ---- sync points, remotes, problems ----------------------------------------------------------

function renderSyncPoints(overview) {
  const box = document.getElementById('syncpoint-list');
  box.replaceChildren();
  const points = overview.groups.flatMap((g) => g.syncPoints.map((p) => ({ ...p, group: g.name })));
  if (points.length === 0) {
    box.append(el('p', { class: 'muted' }, 'None open.'));
    return;
  }
  for (const p of points) {
    const remaining = p.remaining.map((r) => `${r.role} (${r.sessions.length ? r.sessions.map(shortSession).join(', ') : 'nobody running'})`);
    const expires = el('dd', { class: 'expires', 'data-expires': p.expiresAt }, untilText(p.expiresAt));
    box.append(
      el('div', { class: 'card', 'data-sync-id': p.syncPointId },
        el('div', { class: 'title' }, p.description),
        el('dl', {},
          el('dt', {}, 'group'), el('dd', {}, p.group),
          el('dt', {}, 'asked by'), el('dd', { class: 'asked' }, `${p.requestedBy.role} (${shortSession(p.requestedBy.sessionId)})`),
          el('dt', {}, 'acknowledged'), el('dd', { class: 'acked' }, p.acknowledgedBy.length ? p.acknowledgedBy.join(', ') : 'nobody yet'),
          el('dt', {}, 'waiting for'), el('dd', { class: 'remaining' }, remaining.join(', ') || 'nobody'),
          el('dt', {}, 'expires'), expires,
        ),
      ),
    );
  }
}

function renderRemotes(overview) {
  const box = document.getElementById('remote-list');
  box.replaceChildren();
  if (overview.remotes.length === 0) {
    box.append(el('p', { class: 'muted' }, 'None: this coordination repo is not shared (claude-orchestrator remote add <name> <url>).'));
    return;
  }
  const rows = overview.remotes.map((r) => {
    const result =
      r.lastSync === null ? el('span', { class: 'muted' }, 'never synced')
        : r.ok ? el('span', { class: 'ok' }, 'ok')
          : el('span', { class: 'failed' }, `failed${r.failures > 1 ? ` (${r.failures} in a row)` : ''}: ${r.error ?? ''}`);
    return el('tr', { 'data-remote': r.name },
      el('td', {}, r.name), el('td', {}, r.url), el('td', {}, r.lastSync ? timeOf(r.lastSync) : '—'), el('td', {}, result));
  });
  box.append(el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'remote'), el('th', {}, 'url'), el('th', {}, 'last sync'), el('th', {}, 'result'))), el('tbody', {}, ...rows)));
}

function renderProblems(overview) {
  const section = document.getElementById('problems');
  const list = document.getElementById('problem-list');
  list.replaceChildren(...overview.problems.map((p) => el('li', {}, p)));
  section.hidden = overview.problems.length === 0;
}

function fillSelect(select, values, allLabel) {
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '' }, allLabel), ...values.map((v) => el('option', { value: v }, v)));
  select.value = values.includes(chosen) ? chosen : '';
}

async function loadOverview() {
  const overview = await api('/api/overview');
  renderGroups(overview);
  renderSyncPoints(overview);
  renderRemotes(overview);
  renderProblems(overview);
  fillSelect(document.getElementById('filter-group'), overview.filters.groups, 'all groups');
  fillSelect(document.getElementById('filter-role'), overview.filters.roles, 'all roles');
  fillSelect(document.getElementById('filter-type'), overview.filters.changeTypes, 'all records');
  document.getElementById('updated').textContent = `as of ${new Date(overview.generatedAt).toLocaleTimeString()}`;
}

// ---- timeline ---------------------------------------------------------------------------------

function deliveryChip(target) {
  const via = target.via.length ? ` via ${target.via.join(' > ')}` : '';
  let text = `${target.role}${via}`;
  if (target.delivery === 'delivered') text += ': delivered';
  else if (target.delivery === 'queued') text += target.liveSessions ? ': queued' : ': queued (no session running)';
  return el('span', { class: `chip ${target.delivery}`, 'data-target': target.role, 'data-delivery': target.delivery }, text);
}

function row(entry, fresh) {
  const who = entry.session ? `${entry.role} (${shortSession(entry.session)})` : entry.role;
  const summary = el('td', { class: 'summary' }, entry.summary);
  if (entry.commit) summary.append(el('span', { class: 'muted small' }, ` commit ${entry.commit.slice(0, 10)}`));
  // The contract digest (written by another session or an ingester): a text node, like the summary.
  if (entry.contract) summary.append(el('div', { class: 'contract small' }, `contract: ${entry.contract}`));
  const to = el('td', {}, ...entry.to.map((t) => (entry.kind === 'event' ? deliveryChip(t) : el('span', { class: 'chip unknown' }, t.role))));
  const tr = el('tr', { 'data-id': entry.id, 'data-kind': entry.kind, class: fresh ? 'fresh' : '' },
    el('td', { class: 'time', title: entry.at }, timeOf(entry.at)),
    el('td', {}, entry.group),
    el('td', { title: entry.session ?? '' }, who),
    el('td', {}, entry.what),
    to,
    summary,
  );
  tr.title = `record ${entry.id} in commit ${entry.sha.slice(0, 12)} on ${entry.ref}`;
  return tr;
}

async function loadTimeline() {
  const { group, role, type, all } = state.filters;
  const params = { limit: String(PAGE_SIZE) };
  if (group) params.group = group;
  if (role) params.role = role;
  if (type) params.type = type;
  if (all) params.all = '1';
  const cursor = state.cursors[state.page];
  if (cursor) params.cursor = cursor;
  let page;
  try {
    page = await api('/api/timeline', params);
  } catch (error) {
    if (error.status === 410) {
      state.cursors = [null];
      state.page = 0;
      return loadTimeline();
    }
    throw error;
  }
  state.cursors[state.page + 1] = page.next;
  state.cursors.length = state.page + 2;
  const firstLoad = state.shownIds.size === 0;
  const rows = page.entries.map((e) => row(e, !firstLoad && state.page === 0 && !state.shownIds.has(e.id)));
  state.shownIds = new Set(page.entries.map((e) => e.id));
  const body = document.getElementById('timeline-rows');
  body.replaceChildren(...rows);
  if (rows.length === 0) body.append(el('tr', {}, el('td', { colspan: '6', class: 'muted' }, page.next ? `Nothing matched in the ${page.scanned} records looked at; press Older to keep looking.` : 'No records.')));
  document.getElementById('page-info').textContent = `page ${state.page + 1}`;
  document.getElementById('page-older').disabled = !page.next;
  document.getElementById('page-newer').disabled = state.page === 0;
  document.getElementById('page-newest').disabled = state.page === 0;
  document.getElementById('timeline-notice').hidden = true;
  return page;
}

// ---- live updates ------------------------------------------------------------------------------

let refreshing = null;
let again = false;
async function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      if (state.page === 0) {
        // Both at once: on a long history the first overview waits for the history to be read,
        // while the timeline comes at once (delivery states follow once the overview is there).
        const [, page] = await Promise.all([loadOverview(), loadTimeline()]);
        if (page?.deliveryPending) await loadTimeline();
      } else {
        await loadOverview();
        const notice = document.getElementById('timeline-notice');
        notice.textContent = 'New records were written: press Newest to see them.';
        notice.hidden = false;
      }
    } catch (error) {
      showError(error);
    }
  })();
  await refreshing;
  refreshing = null;
  if (again) {
    again = false;
    await refresh();
  }
}

function showError(error) {
  const live = document.getElementById('live');
  live.textContent = `error: ${error.message}`;
  live.className = 'live off';
}

function connect() {
  const live = document.getElementById('live');
  const source = new EventSource(`/events?${new URLSearchParams({ token })}`);
  source.addEventListener('hello', (event) => {
    live.textContent = 'live';
    live.className = 'live';
    if (state.version !== null && event.data !== state.version) void refresh();
    state.version = event.data;
  });
  source.addEventListener('change', (event) => {
    state.version = event.data;
    void refresh();
  });
  // Every 15 s: liveness (active, stale) and expiry move with time, not only with records.
  source.addEventListener('tick', () => void loadOverview().catch(showError));
  source.onerror = () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
  };
}

// ---- wiring -------------------------------------------------------------------------------------

function onFilter() {
  state.filters = {
    group: document.getElementById('filter-group').value,
    role: document.getElementById('filter-role').value,
    type: document.getElementById('filter-type').value,
    all: document.getElementById('filter-all').checked,
  };
  state.cursors = [null];
  state.page = 0;
  state.shownIds = new Set();
  void loadTimeline().catch(showError);
}

document.getElementById('filters').addEventListener('change', onFilter);
document.getElementById('filters').addEventListener('submit', (event) => event.preventDefault());
document.getElementById('page-older').addEventListener('click', () => {
  if (!state.cursors[state.page + 1]) return;
  state.page++;
  void loadTimeline().catch(showError);
});
document.getElementById('page-newer').addEventListener('click', () => {
  if (state.page === 0) return;
  state.page--;
  void loadTimeline().catch(showError);
});
document.getElementById('page-newest').addEventListener('click', () => {
  state.page = 0;
  state.shownIds = new Set();
  void loadTimeline().catch(showError);
});
setInterval(() => {
  for (const node of document.querySelectorAll('[data-expires]')) {
    node.textContent = untilText(node.getAttribute('data-expires'));
    node.classList.toggle('soon', Date.parse(node.getAttribute('data-expires')) - Date.now() < 60_000);
  }
}, 1000);

connect();
void refresh();
