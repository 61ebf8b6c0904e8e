// The console's open callback requests: read again from the server when one of the
// member's departments gets one or one is done (the socket's "callbacks" message carries
// no number). A new one is announced, like a knock.
const slot = document.getElementById("callback-slot");

function count() {
  return slot.querySelectorAll(".callback-request").length;
}

export async function refreshCallbacks(announce) {
  const before = count();
  let response;
  try {
    response = await fetch(slot.dataset.url, { credentials: "same-origin" });
  } catch {
    return;
  }
  if (response.status !== 200) return;
  const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
  // Focus inside the list (a "done" button) stays on the list's heading, not on <body>.
  const hadFocus = slot.contains(document.activeElement);
  slot.replaceChildren(...parsed.body.childNodes);
  if (hadFocus) document.getElementById("callbacks-heading")?.focus();
  if (count() > before) announce(slot.dataset.msgNew);
}
