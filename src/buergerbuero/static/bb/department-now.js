// A department's "Right now", kept live from the status board: a citizen reading the page
// when someone becomes available (the page says they "may be back any minute") or when
// the opening hour strikes sees the way to the waiting room appear without reloading, and
// hears it (the status line is a live region); when the office closes, the way goes and
// what can be done instead comes. Alternatives the citizen is busy with (focus in the
// callback link, say) stay while the office is open again.
import { fetchFragment } from "./fragment.js";
import { connectSocket } from "./socket.js";

const box = document.getElementById("now");
const labels = document.getElementById("status-labels").dataset;
const statusLine = document.getElementById("now-status");
const busy = document.getElementById("now-busy");
const knock = document.getElementById("now-knock");
const alternatives = document.getElementById("now-alternatives");
let shown = box.dataset.state;

// Closed: the status line says so once the alternatives are there, in the words the page
// uses when loaded ("Nobody available right now" within opening hours): one sentence
// for a screen reader, not two.
async function showClosed() {
  if (!alternatives.childElementCount) {
    const parts = await fetchFragment(box.dataset.alternatives);
    if (shown !== "closed") return; // open again meanwhile
    if (parts) alternatives.replaceChildren(...parts);
  }
  const unstaffed = alternatives.querySelector("[data-unstaffed]");
  statusLine.textContent = unstaffed ? box.dataset.msgUnstaffed : labels.closed;
  alternatives.hidden = !alternatives.childElementCount;
}

function apply(state) {
  if (state === shown) return;
  shown = state;
  statusLine.className = `status status-${state}`;
  busy.hidden = state !== "busy";
  knock.hidden = state === "closed";
  if (state === "closed") {
    showClosed();
    return;
  }
  statusLine.textContent = labels[state] || state;
  if (!alternatives.contains(document.activeElement)) alternatives.hidden = true;
}

connectSocket("/ws/status/", {
  pingSeconds: 60,
  onMessage(message) {
    if (message.type !== "status") return;
    const row = message.departments.find((department) => department.slug === box.dataset.department);
    if (row) apply(row.state);
  },
});
