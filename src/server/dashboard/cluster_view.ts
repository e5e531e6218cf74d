/**
 * The cluster as the serving node sees it, for the dashboard's event stream: this node's own
 * view plus each other member's (`GET /v1/dashboard/local` on its HTTP address), fetched by one
 * poller per node while at least one browser watches, so ten open tabs cost the peers no more
 * than one. A member that does not answer is shown down with the reason, never with stale
 * numbers. The members listed are the leader's (when its view could be fetched) together with
 * this node's, so a removed or partitioned serving node still shows the cluster honestly.
 *
 * Peers are asked with the watching browser's Authorization header (the same users are
 * configured on every node); a node served over TLS asks its peers over https.
 */
import type { LocalView } from "./recorder.js";
import { Timeline, type TimelineEvent } from "./timeline.js";

export interface NodeCard {
  readonly id: string;
  readonly http: string | null;
  /** Whether this is the node serving the page. */
  readonly self: boolean;
  /** In the configuration of the leader's view (or of this node's, when no leader answers). */
  readonly member: boolean;
  readonly up: boolean;
  /** Why the view is missing: unreachable, HTTP error, no address. */
  readonly error: string | null;
  readonly view: LocalView | null;
}

export interface ClusterView {
  readonly servedBy: string;
  readonly atMs: number;
  /** The leader whose progress the page shows, as reported by a reachable node. */
  readonly leaderId: string | null;
  readonly controls: boolean;
  readonly nodes: readonly NodeCard[];
  /** Every reachable node's newest events, merged by time (newest last). */
  readonly events: readonly TimelineEvent[];
}

/** Long enough not to call a busy node down, short enough to keep updates coming. */
export const PEER_FETCH_TIMEOUT_MS = 1000;
export const CLUSTER_EVENTS_MAX = 120;

export interface ClusterViewOptions {
  readonly local: () => LocalView;
  readonly controls: boolean;
  readonly tls: boolean;
  readonly fetchTimeoutMs?: number;
}

type Fetched = { view: LocalView; error: null } | { view: null; error: string };

export class ClusterViewSource {
  /** Nodes seen before (id to HTTP address), so a node that goes away is still listed. */
  private readonly known = new Map<string, string | null>();
  /** Each node's newest events as last fetched: a node that went down keeps its history. */
  private readonly lastEvents = new Map<string, readonly TimelineEvent[]>();
  private readonly wasUp = new Map<string, boolean>();
  /** What this node saw of the others' reachability (its own timeline, made on first build). */
  private observed: Timeline | null = null;

  constructor(private readonly options: ClusterViewOptions) {}

  /** Builds the view, asking every other member with `authorization` (may be undefined). */
  async build(authorization: string | undefined): Promise<ClusterView> {
    const self = this.options.local();
    for (const member of self.members) this.known.set(member.id, member.http);
    const others = [...this.known].filter(([id]) => id !== self.id);
    const fetched = new Map<string, Fetched>(await Promise.all(others.map(
      async ([id, http]) => [id, await this.fetchView(http, authorization)] as const)));
    const views = new Map<string, LocalView>([[self.id, self]]);
    for (const [id, result] of fetched) if (result.view !== null) views.set(id, result.view);
    // Two views may both claim leadership for a moment (one deposed, not yet told): the
    // higher term wins, as in Raft.
    const leader = [...views.values()]
      .filter((v) => v.role === "leader" && v.state === "running")
      .sort((a, b) => b.term - a.term)[0];
    for (const member of leader?.members ?? []) this.known.set(member.id, member.http);
    const memberIds = new Set([...(leader ?? self).members.map((m) => m.id)]);
    const ids = [...new Set([...this.known.keys(), self.id])].sort(byNodeId);
    const nodes = ids.map((id): NodeCard => {
      const view = views.get(id) ?? null;
      const error = id === self.id ? null : fetched.get(id)?.error ?? "not asked yet";
      return {
        id, http: this.known.get(id) ?? null, self: id === self.id, member: memberIds.has(id),
        up: view !== null, error: view === null ? error : null,
        // The events travel once, merged below.
        view: view === null ? null : { ...view, events: [] },
      };
    });
    this.noteReachability(self.id, nodes, self.term);
    for (const [id, view] of views) this.lastEvents.set(id, view.events);
    const observed = this.observed?.recent() ?? [];
    const events = [...this.lastEvents.values(), observed].flat()
      .sort((a, b) => a.atMs - b.atMs || byNodeId(a.node, b.node) || a.seq - b.seq)
      .slice(-CLUSTER_EVENTS_MAX);
    return {
      servedBy: self.id, atMs: self.atMs, leaderId: leader?.id ?? self.leaderId,
      controls: this.options.controls, nodes, events,
    };
  }

  private noteReachability(selfId: string, nodes: readonly NodeCard[], term: number): void {
    const timeline = (this.observed ??= new Timeline(selfId, Date.now));
    for (const node of nodes) {
      const before = this.wasUp.get(node.id);
      this.wasUp.set(node.id, node.up);
      if (before === undefined || before === node.up) continue;
      timeline.record("reachability", term, node.up ? `${node.id} answers again`
        : `${node.id} stopped answering: ${node.error ?? "no answer"}`);
    }
  }

  private async fetchView(
    http: string | null, authorization: string | undefined,
  ): Promise<Fetched> {
    if (http === null) return { view: null, error: "no HTTP address known" };
    const url = `${this.options.tls ? "https" : "http"}://${http}/v1/dashboard/local`;
    try {
      const response = await fetch(url, {
        headers: authorization === undefined ? {} : { authorization },
        signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? PEER_FETCH_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.status !== 200) return { view: null, error: `HTTP ${response.status}` };
      return { view: JSON.parse(text) as LocalView, error: null };
    } catch (error) {
      return { view: null, error: describe(error) };
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "no answer (timed out)";
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  if (cause?.code === "ECONNREFUSED") return "connection refused (not running?)";
  // fetch's own message is only "fetch failed"; the cause says why.
  return cause?.message === undefined ? error.message : `${error.message}: ${cause.message}`;
}

/** n2 before n10. */
function byNodeId(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
