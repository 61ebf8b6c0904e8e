// The citizen's waiting room: place in the queue, estimate, staff messages, admission.
import { flag } from "./attention.js";
import { chime, unlockSound } from "./sound.js";
import { connectSocket, format } from "./socket.js";

const root = document.getElementById("waiting-room");
const msg = root.dataset;
const position = document.getElementById("queue-position");
const estimate = document.getElementById("queue-estimate");
const officeNote = document.getElementById("office-note");
const staffMessages = document.getElementById("staff-messages");
const finalMessage = document.getElementById("final-message");
const leaveButton = document.getElementById("leave-queue");
const backLink = document.getElementById("back-link");
const backNote = document.getElementById("back-note");
const missedCall = document.getElementById("missed-call");
const rejoinButton = document.getElementById("rejoin-front");
// Hidden since the last position: the next one is told as "welcome back".
let wasAway = false;
// Staff messages are written in the office's language: marked so on a page in another.
function officeText(text) {
  const span = document.createElement("span");
  span.dir = "auto";
  if (msg.contentLang) span.lang = msg.contentLang;
  span.textContent = text;
  return span;
}

document.addEventListener("click", unlockSound, { once: true });
document.addEventListener("keydown", unlockSound, { once: true });

function finish(text, extra = "") {
  finalMessage.hidden = false;
  finalMessage.textContent = text;
  if (extra) finalMessage.append(" ", officeText(extra));
  position.textContent = "";
  estimate.textContent = "";
  // The button that had focus goes away: focus follows to what replaced it, or it
  // would fall to <body> (and a screen reader to the top of the page).
  const hadFocus = leaveButton.contains(document.activeElement) || document.activeElement === document.body;
  leaveButton.hidden = true;
  backLink.hidden = false;
  if (hadFocus) finalMessage.focus();
  socket.close();
}

function showPosition(message) {
  missedCall.hidden = true;
  leaveButton.hidden = false;
  if (wasAway && document.visibilityState === "visible") {
    wasAway = false;
    backNote.hidden = false;
    backNote.textContent = msg.msgBack;
  }
  position.textContent =
    message.position === 1 ? msg.msgNext : format(msg.msgPosition, { position: message.position });
  estimate.textContent =
    message.estimate_minutes <= 2
      ? msg.msgEstimateSoon
      : format(msg.msgEstimate, { minutes: message.estimate_minutes });
  officeNote.hidden = message.office !== "closed";
  officeNote.textContent = message.office === "closed" ? msg.msgClosed : "";
}

const socket = connectSocket(root.dataset.socket, {
  pingSeconds: Number(root.dataset.pingSeconds) || 20,
  onOpen() {
    officeNote.hidden = true;
    // A page that slept may have lost its socket: the server hears again whether it is
    // shown (which also clears the mark left before it was suspended).
    tellVisibility();
  },
  onMessage(message) {
    switch (message.type) {
      case "position":
        showPosition(message);
        break;
      case "staff-message": {
        const item = document.createElement("p");
        item.className = "staff-message";
        const label = document.createElement("strong");
        label.textContent = `${msg.msgStaff} `;
        item.append(label, officeText(message.text));
        staffMessages.append(item);
        chime();
        flag(msg.msgStaffTitle);
        break;
      }
      case "admitted":
        position.textContent = msg.msgAdmitted;
        estimate.textContent = "";
        chime();
        flag(msg.msgYourTurn, msg.msgAdmitted);
        window.location.assign(message.call_url);
        break;
      case "missed-call":
        position.textContent = msg.msgMissed;
        estimate.textContent = "";
        leaveButton.hidden = true;
        missedCall.hidden = false;
        rejoinButton.disabled = false;
        chime();
        flag(msg.msgMissed);
        break;
      case "declined":
        finish(msg.msgDeclined, message.message);
        break;
      case "expired":
        finish(msg.msgExpired);
        break;
      case "ended":
        finish(msg.msgEnded);
        break;
      case "left":
        finish(msg.msgLeft);
        break;
      case "error":
        // The office could not record the ping (its database is away for a moment): say
        // so in the server's words; the next position (sent as soon as a ping gets
        // through again) replaces it.
        if (message.code === "unavailable") {
          officeNote.hidden = false;
          officeNote.textContent = message.message;
        }
        break;
      default:
        break;
    }
  },
  onClose(_event, final) {
    if (!final) {
      officeNote.hidden = false;
      officeNote.textContent = msg.msgReconnecting;
    }
  },
});

// A hidden page may be suspended (phones do so within seconds) and then cannot ping: it
// says so first, and the office keeps its place for the longer background grace. A page
// being closed or reloaded (pagehide, not kept in the back/forward cache) says "visible",
// and nothing after (its last visibilitychange follows the pagehide): it counts as a
// plain lost connection, with the normal grace.
let unloading = false;
function tellVisibility() {
  if (unloading) return;
  const hidden = document.visibilityState === "hidden";
  if (hidden) {
    wasAway = true;
    backNote.hidden = true;
  }
  socket.send({ type: hidden ? "hidden" : "visible" });
}

document.addEventListener("visibilitychange", tellVisibility);
document.addEventListener("freeze", tellVisibility);
document.addEventListener("resume", tellVisibility);
window.addEventListener("pagehide", (event) => {
  unloading = !event.persisted;
  socket.send({ type: event.persisted ? "hidden" : "visible" });
});
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  unloading = false;
  tellVisibility();
});

rejoinButton.addEventListener("click", () => {
  rejoinButton.disabled = socket.send({ type: "rejoin" });
});

leaveButton.addEventListener("click", () => {
  leaveButton.disabled = true;
  if (!socket.send({ type: "leave" })) leaveButton.disabled = false;
});
