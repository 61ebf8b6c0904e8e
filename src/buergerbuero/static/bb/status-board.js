// Live status of every department on the overview page and the embeddable widget.
import { connectSocket } from "./socket.js";

const labels = document.getElementById("status-labels").dataset;
const note = document.getElementById("live-note");
const lang = document.documentElement.lang || "de";

function openingLabel(iso, timeZone) {
  const when = new Date(iso);
  const text = new Intl.DateTimeFormat(lang, {
    weekday: "short", hour: "2-digit", minute: "2-digit", timeZone,
  }).format(when);
  const time = document.createElement("time");
  time.dateTime = iso;
  time.textContent = text;
  return time;
}

function apply(departments) {
  for (const row of departments) {
    const badge = document.querySelector(`[data-status-for="${CSS.escape(row.slug)}"]`);
    const next = document.querySelector(`[data-next-opening-for="${CSS.escape(row.slug)}"]`);
    if (!badge) continue;
    badge.className = `status status-${row.state}`;
    badge.textContent = labels[row.state] || row.state;
    if (next) {
      next.replaceChildren();
      if (row.state === "closed" && row.next_opening) {
        next.append(`${labels.opens} `, openingLabel(row.next_opening, row.time_zone));
      }
    }
  }
}

connectSocket("/ws/status/", {
  pingSeconds: 60,
  onOpen() {
    if (note) note.textContent = "";
  },
  onMessage(message) {
    if (message.type === "status") apply(message.departments);
  },
  onClose(_event, final) {
    if (note && !final) note.textContent = labels.lost;
  },
});
