// What a staff member hears and sees when a citizen knocks, on the console and on the
// call page alike: a quiet chime, a visual cue on `cueElement`, the tab's title and a banner
// (for whoever has the sound off or cannot hear it), and a desktop notification when
// allowed and the tab is hidden.
import { flag } from "./attention.js";
import { format } from "./socket.js";
import { chime, unlockSound } from "./sound.js";

document.addEventListener("click", unlockSound, { once: true });
document.addEventListener("keydown", unlockSound, { once: true });

// A new knock in one sentence, with the topic when the citizen gave one; `messages` is
// the page's dataset (msgNewKnock, msgNewKnockTopic).
export function knockSentence(messages, entry, department) {
  const values = { name: entry.name, department: department?.name || "", topic: entry.topic };
  return format(entry.topic ? messages.msgNewKnockTopic : messages.msgNewKnock, values);
}

export function alertKnock(text, cueElement) {
  chime();
  // The tab's title and a banner say it too, for whoever does not hear the chime.
  flag(text);
  if (cueElement) {
    cueElement.classList.remove("knock-cue");
    // Restart the animation for a second knock in a row.
    void cueElement.offsetWidth;
    cueElement.classList.add("knock-cue");
    // A frame stays for a while (also with reduced motion, which stops the flash).
    clearTimeout(cueElement.knockCueTimer);
    cueElement.knockCueTimer = setTimeout(() => cueElement.classList.remove("knock-cue"), 8000);
  }
  if ("Notification" in window && Notification.permission === "granted" && document.hidden) {
    new Notification(text, { tag: "bb-knock" });
  }
}

// The "Allow notifications" button: hidden where notifications are decided or unknown.
export function offerNotifications(button) {
  if (!button) return;
  if (!("Notification" in window) || Notification.permission !== "default") {
    button.hidden = true;
    return;
  }
  button.addEventListener("click", async () => {
    await Notification.requestPermission();
    button.hidden = true;
  });
}
