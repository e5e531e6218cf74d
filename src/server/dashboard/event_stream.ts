/**
 * The dashboard's server-sent events: one `text/event-stream` response per browser, all fed by
 * one poller that builds the cluster view every `PUSH_INTERVAL_MS` while anyone watches and
 * stops when the last one leaves. A view identical to the previous one (ignoring its timestamp)
 * is not sent again; a comment line every `KEEPALIVE_MS` keeps proxies from closing an idle
 * stream. Streams beyond `STREAMS_MAX` are refused (503), so browsers cannot exhaust the node.
 */
import type { ServerResponse } from "node:http";
import type { ClusterView } from "./cluster_view.js";

export const PUSH_INTERVAL_MS = 500;
export const KEEPALIVE_MS = 15_000;
export const STREAMS_MAX = 32;

interface Stream {
  readonly response: ServerResponse;
  readonly authorization: string | undefined;
}

export class DashboardEventStream {
  private readonly streams = new Set<Stream>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastBody = "";
  private lastSentMs = 0;
  private closed = false;

  /** @param build makes the view, asking peers with the given Authorization header. */
  constructor(
    private readonly build: (authorization: string | undefined) => Promise<ClusterView>,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  /** Whether another stream may open now. */
  get hasRoom(): boolean {
    return !this.closed && this.streams.size < STREAMS_MAX;
  }

  /** Starts streaming to `response` (headers not yet sent) until it closes. */
  open(response: ServerResponse, authorization: string | undefined): void {
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
      connection: "keep-alive",
    });
    // A browser that loses the stream reconnects after a second.
    response.write("retry: 1000\n\n");
    const stream = { response, authorization };
    this.streams.add(stream);
    response.on("close", () => { this.streams.delete(stream); });
    this.lastBody = ""; // the new browser gets the current view at once
    if (this.timer === null) this.schedule(0);
  }

  /** Ends every stream and stops polling (the HTTP server is closing). */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const stream of this.streams) stream.response.end();
    this.streams.clear();
  }

  /** Polls again after `delayMs`, unless closed meanwhile (close() may run during a build). */
  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => { void this.push(); }, delayMs);
    this.timer.unref();
  }

  private async push(): Promise<void> {
    if (this.closed) return;
    if (this.streams.size === 0) {
      this.timer = null;
      return;
    }
    const newest = [...this.streams].at(-1);
    try {
      const view = await this.build(newest?.authorization);
      const body = JSON.stringify({ ...view, atMs: 0 });
      const now = Date.now();
      if (body !== this.lastBody) {
        this.lastBody = body;
        this.lastSentMs = now;
        this.send(`event: cluster\ndata: ${JSON.stringify(view)}\n\n`);
      } else if (now - this.lastSentMs >= KEEPALIVE_MS) {
        this.lastSentMs = now;
        this.send(": keepalive\n\n");
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.send(`event: problem\ndata: ${JSON.stringify({ message })}\n\n`);
    }
    this.schedule(PUSH_INTERVAL_MS);
  }

  private send(text: string): void {
    for (const stream of this.streams) {
      // A browser that does not read its stream is dropped rather than buffered for.
      if (stream.response.writableLength > 1024 * 1024) stream.response.destroy();
      else stream.response.write(text);
    }
  }
}
