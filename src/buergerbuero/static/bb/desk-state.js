// The console's picture of the desk, kept from the console socket's messages: the whole
// desk on connect ("queues"), then the changed departments only ("queue-update"), and
// citizens who joined as they are ("queue-delta": added, nothing removed).
// Used by the console and by a staff member's call page (the count of who waits).

// The office's order (waiting/queue.py queue_order): whoever missed their call while in
// the background, by when they were called; booked citizens at their time; then everyone
// by arrival. An entry's key never changes, so rows never need to move.
export function orderKey(entry) {
  return [
    entry.called_at ? 0 : 1, entry.called_at ? Date.parse(entry.called_at) : 0,
    entry.booked_for ? 0 : 1, Date.parse(entry.booked_for || entry.since), Date.parse(entry.since), entry.id,
  ];
}

export function compareEntries(a, b) {
  const x = orderKey(a);
  const y = orderKey(b);
  for (let i = 0; i < x.length; i += 1) {
    if (x[i] < y[i]) return -1;
    if (x[i] > y[i]) return 1;
  }
  return 0;
}

export class DeskState {
  constructor() {
    this.departments = new Map(); // id -> department line
    this.entries = new Map(); // id -> waiting citizen
    this.ready = false;
  }

  // Apply a message; returns what changed: {added, removed, changed} (entries; `previous`
  // holds the changed ones as they were), and
  // whether it was a fresh start (the first snapshot, or one after a reconnect).
  apply(message) {
    const added = [];
    const removed = [];
    const changed = [];
    const previous = new Map(); // id -> a changed entry as it was before
    let scope;
    const fresh = message.type === "queues";
    const delta = message.type === "queue-delta";
    if (fresh) {
      scope = null; // everything
      this.departments = new Map();
    } else if (delta) {
      scope = new Set(); // nobody leaves
    } else {
      scope = new Set(message.departments.map((d) => d.id));
    }
    for (const department of message.departments) this.departments.set(department.id, department);
    const rows = delta ? message.added : message.waiting;
    const incoming = new Map(rows.map((entry) => [entry.id, entry]));
    for (const [id, entry] of this.entries) {
      if ((scope === null || scope.has(entry.department)) && !incoming.has(id)) {
        this.entries.delete(id);
        removed.push(entry);
      }
    }
    for (const [id, entry] of incoming) {
      const before = this.entries.get(id);
      if (!before) added.push(entry);
      else if (JSON.stringify(before) !== JSON.stringify(entry)) {
        changed.push(entry);
        previous.set(id, before);
      }
      this.entries.set(id, entry);
    }
    const first = !this.ready;
    this.ready = true;
    return { added: first ? [] : added, removed, changed, previous, fresh, first };
  }

  ordered() {
    return [...this.entries.values()].sort(compareEntries);
  }

  departmentOf(entry) {
    return this.departments.get(entry.department);
  }
}
