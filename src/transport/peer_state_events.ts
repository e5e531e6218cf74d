/** A tiny listener set for peer connection state changes, shared by every transport. */
import type { NodeId } from "../core/index.js";
import type { PeerConnectionState, PeerStateListener } from "./transport.js";

export class PeerStateEvents {
  private readonly listeners = new Set<PeerStateListener>();

  subscribe(listener: PeerStateListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  emit(peer: NodeId, state: PeerConnectionState): void {
    for (const listener of [...this.listeners]) listener(peer, state);
  }
}
