// What is heard is also seen (WCAG 1.3.3, 1.4.2): every chime for an event that needs the
// person (admission, a message from the office, a new knock) also marks the tab's title,
// which shows in the tab strip and the task bar while the tab is in the background, and
// shows a banner at the top of the screen for whoever has the sound off or cannot hear
// it. Both stay until the person is back: a key press or a click in the visible page. The
// banner floats (site.css) and lets clicks through: going away, it moves nothing under the
// pointer. Screen readers hear the page's own live regions, so it is not one itself.
let original = document.title;
let banner = null;

function clear() {
  if (document.hidden) return;
  document.title = original;
  if (banner) banner.hidden = true;
}

document.addEventListener("keydown", clear, true);
document.addEventListener("pointerdown", clear, true);

// The page became something else in place (the waiting room became the call): its own
// part of the title changes ("<page> – <office>"), under a flag that may be showing.
export function retitle(pageTitle) {
  const flag = document.title === original ? "" : document.title.slice(0, -original.length);
  const office = original.split(" – ").slice(1).join(" – ");
  original = office ? `${pageTitle} – ${office}` : pageTitle;
  document.title = flag + original;
}

// `title` goes in front of the page's own title, `text` in the banner (default: the same).
export function flag(title, text = title) {
  document.title = `(!) ${title} – ${original}`;
  if (!banner) {
    banner = document.createElement("p");
    banner.className = "attention-banner";
    banner.id = "attention-banner";
    // Inside the main landmark, so nothing on the page stands outside one.
    (document.querySelector("main") || document.body).append(banner);
  }
  banner.textContent = text;
  banner.hidden = false;
}
