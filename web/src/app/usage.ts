// Storage used against the plan, shown in the header and on the account page; reloaded after
// anything that changes it (an upload, a deletion, a cover stored).
import { get } from "../shared/api";
import type { Usage } from "../shared/types";

type Listener = () => void;

class UsageStore {
  usage: Usage | null = null;
  private listeners = new Set<Listener>();
  private timer: number | undefined;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  async refresh(): Promise<void> {
    try {
      this.usage = await get<Usage>("/billing/usage");
      for (const listener of this.listeners) listener();
    } catch {
      // Billing away for a moment: the header simply keeps the last figure.
    }
  }

  /** Many changes in a row (a batch of covers) cost one request. */
  refreshSoon(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.refresh(), 500);
  }
}

export const usageStore = new UsageStore();
