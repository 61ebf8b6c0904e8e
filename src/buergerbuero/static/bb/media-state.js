// Muted and camera off are said in words and shown with an icon, on every picture (own
// and others') and on the buttons themselves, not only by a coloured frame (WCAG 1.4.1).

// The note under a picture: "(muted, camera off)" with an icon for each (site.css).
export function showMediaState(note, { audio, video, screen }, msg) {
  if (!note) return;
  const notes = [];
  if (!audio) notes.push(msg.msgMuted);
  if (screen) notes.push(msg.msgSharing);
  else if (!video) notes.push(msg.msgCameraOff);
  note.textContent = notes.length ? `(${notes.join(", ")})` : "";
  note.classList.toggle("is-muted", !audio);
  note.classList.toggle("is-camera-off", !screen && !video);
}

// A toggle whose text says what pressing it does ("Mute" / "Unmute"): the name changes,
// so it carries no aria-pressed (a changing name and a pressed state would say it twice).
export function labelToggle(button, on, labels) {
  button.textContent = on ? labels.on : labels.off;
  button.classList.toggle("is-off", !on);
}
