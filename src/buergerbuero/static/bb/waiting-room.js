// The citizen's waiting room: place in the queue, estimate, staff messages, admission.
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

document.addEventListener("click", unlockSound, { once: true });
document.addEventListener("keydown", unlockSound, { once: true });

function finish(text, extra = "") {
  finalMessage.hidden = false;
  finalMessage.textContent = extra ? `${text} ${extra}` : text;
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
        item.append(label, message.text);
        staffMessages.append(item);
        chime();
        break;
      }
      case "admitted":
        position.textContent = msg.msgAdmitted;
        estimate.textContent = "";
        chime();
        window.location.assign(message.call_url);
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

leaveButton.addEventListener("click", () => {
  leaveButton.disabled = true;
  if (!socket.send({ type: "leave" })) leaveButton.disabled = false;
});
