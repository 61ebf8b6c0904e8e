// The console's open callback requests: read again from the server when one of the
// member's departments gets one or one is done (the socket's "callbacks" message carries
// no number). A new one is announced, like a knock, and one the citizen withdrew (staff
// may be about to dial it).
import { fetchFragment } from "./fragment.js";

const slot = document.getElementById("callback-slot");

function count() {
  return slot.querySelectorAll(".callback-request").length;
}

export async function refreshCallbacks(announce, withdrawn = false) {
  if (!slot) return;
  const before = count();
  const parts = await fetchFragment(slot.dataset.url);
  if (!parts) return;
  // Focus inside the list (a "done" button) stays on the list's heading, not on <body>.
  const hadFocus = slot.contains(document.activeElement);
  slot.replaceChildren(...parts);
  if (hadFocus) document.getElementById("callbacks-heading")?.focus();
  if (count() > before) announce(slot.dataset.msgNew);
  else if (withdrawn && count() < before) announce(slot.dataset.msgWithdrawn);
}
