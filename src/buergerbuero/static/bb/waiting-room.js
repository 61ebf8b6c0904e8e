// The citizen's waiting room: place in the queue, estimate, staff messages, admission.
import { flag, retitle } from "./attention.js";
import { openCallSocket, startCall } from "./call-session.js";
import { openLocalMedia } from "./device-check.js";
import { fetchFragment } from "./fragment.js";
import { offerNotifications } from "./knock-alerts.js";
import { warmUp } from "./mesh.js";
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
const headingElement = document.getElementById("waiting-heading");
const passedOn = document.getElementById("passed-on");
const replyForm = document.getElementById("reply-form");
const replyText = document.getElementById("reply-text");
const replyStatus = document.getElementById("reply-status");
const turnWaits = document.getElementById("turn-waits");
const joinButton = document.getElementById("join-now");
// The department they wait for: it changes when staff pass them on.
let department = msg.department;
// Hidden since the last position: the next one is told as "welcome back".
let wasAway = false;
// Admitted while the page was hidden: the call waits for the citizen to come back (the
// office returns them to the front of the queue if they do not, instead of an empty call).
let waitingAdmission = null;
// Called while away and back at the front: said once they look again.
let calledAway = false;
// Staff messages are written in the office's language: marked so on a page in another.
// A decline text may be in another (the console's): `lang` then says which.
function officeText(text, lang = "") {
  const span = document.createElement("span");
  span.dir = "auto";
  const written = lang || msg.contentLang;
  if (written && written !== document.documentElement.lang) span.lang = written;
  span.textContent = text;
  return span;
}

document.addEventListener("click", unlockSound, { once: true });
document.addEventListener("keydown", unlockSound, { once: true });

function finish(text, extra = "", extraLang = "") {
  waitingAdmission = null;
  turnWaits.hidden = true;
  finalMessage.hidden = false;
  finalMessage.textContent = text;
  if (extra) finalMessage.append(" ", officeText(extra, extraLang));
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

// "Waiting room: <department>", the name marked as the office's language.
function showDepartment(name) {
  if (!name || name === department) return;
  department = name;
  const [before, after = ""] = msg.msgHeading.split("%(name)s");
  headingElement.replaceChildren(before, officeText(name), after);
}

function showPosition(message) {
  showDepartment(message.department);
  missedCall.hidden = true;
  leaveButton.hidden = false;
  if (waitingAdmission) {
    // Waiting again: the admission went unanswered and the office took it back.
    waitingAdmission = null;
    const hadFocus = joinButton === document.activeElement;
    turnWaits.hidden = true;
    if (hadFocus) leaveButton.focus();
    calledAway = true;
    backNote.hidden = false;
    backNote.textContent = msg.msgCalledAway;
    flag(msg.msgCalledAway);
  }
  if ((wasAway || calledAway) && document.visibilityState === "visible") {
    backNote.hidden = false;
    backNote.textContent = calledAway ? msg.msgCalledAway : msg.msgBack;
    wasAway = false;
    calledAway = false;
  }
  position.textContent =
    message.position === 1 ? msg.msgNext : format(msg.msgPosition, { position: message.position });
  estimate.textContent =
    message.estimate_minutes <= 2
      ? msg.msgEstimateSoon
      : format(msg.msgEstimate, { minutes: message.estimate_minutes });
  officeNote.hidden = message.office !== "closed";
  officeNote.textContent = message.office === "closed" ? msg.msgClosed : "";
  showAlternatives(message.office === "closed");
}

// While the office is closed or unstaffed: when it is staffed next, free appointments,
// related departments open now, a callback (public/_alternatives.html, from the server in
// the page's language). Loaded once per closing; gone when the office is back.
const alternatives = document.getElementById("waiting-alternatives");
const alternativesBody = document.getElementById("waiting-alternatives-body");
let alternativesShown = false;
async function showAlternatives(closed) {
  if (!closed) {
    alternativesShown = false;
    alternatives.hidden = true;
    alternativesBody.replaceChildren();
    return;
  }
  if (alternativesShown) return;
  alternativesShown = true;
  const parts = await fetchFragment(msg.alternatives);
  if (!parts) {
    alternativesShown = false;
    return;
  }
  if (!alternativesShown) return; // the office is back meanwhile
  alternativesBody.replaceChildren(...parts);
  alternatives.hidden = false;
}

const socket = connectSocket(root.dataset.socket, {
  pingSeconds: Number(root.dataset.pingSeconds) || 20,
  onOpen() {
    officeNote.hidden = true;
    // Answers to replies sent on a lost connection will not come: they stay as shown.
    settleReplies();
    // A page that slept may have lost its socket: the server hears again whether it is
    // shown (which also clears the mark left before it was suspended).
    tellVisibility();
  },
  onMessage(message) {
    // This page is the call now; the waiting room's socket closes once the call's opened.
    if (inCall) return;
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
        if (!message.to_all) replyForm.hidden = false;
        chime();
        flag(msg.msgStaffTitle);
        break;
      }
      case "transferred":
        showDepartment(message.department);
        // From now on the new department's: the link back and, while it is closed, what
        // it offers instead (the position that follows shows them if it is).
        backLink.querySelector("a").href = message.page;
        msg.alternatives = message.alternatives;
        showAlternatives(false);
        passedOn.hidden = false;
        passedOn.textContent = format(msg.msgPassedOn, { department: message.department });
        if (message.note) passedOn.append(" ", officeText(message.note));
        chime();
        flag(passedOn.textContent);
        break;
      case "reply-sent":
        pendingReplies.shift();
        replyStatus.textContent = msg.msgReplySent;
        break;
      case "admitted":
        estimate.textContent = "";
        if (document.hidden) {
          // Nobody may be looking: no camera and no call until the citizen is back. The
          // title, the chime and (where allowed) the system say it is their turn; coming
          // back to the page ("visible", answered with "admitted" again) starts the call.
          const first = !waitingAdmission;
          // The office repeats the admission with every update of the queue: said once.
          waitingAdmission = message;
          if (first) {
            position.textContent = msg.msgTurnWaits;
            turnWaits.hidden = false;
            leaveButton.hidden = true;
            chime();
            flag(msg.msgYourTurn, msg.msgTurnWaits);
            notifyTurn();
          }
          break;
        }
        // The call's socket opens first; the cues follow during its handshake (the
        // first sound of a page starts its audio, some 10-20 ms of the main thread).
        enterCall(message, () => {
          position.textContent = msg.msgAdmitted;
          if (!waitingAdmission) chime();
          // The banner says what the page is about to show: the call has started.
          flag(msg.msgYourTurn, document.getElementById("call").dataset.msgYourTurnBanner);
        });
        break;
      case "missed-call":
        waitingAdmission = null;
        turnWaits.hidden = true;
        position.textContent = msg.msgMissed;
        estimate.textContent = "";
        leaveButton.hidden = true;
        missedCall.hidden = false;
        rejoinButton.disabled = false;
        chime();
        flag(msg.msgMissed);
        break;
      case "declined":
        finish(msg.msgDeclined, message.message, message.lang);
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
        if (message.request === "reply") {
          refuseReply(message.message);
          break;
        }
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

// The camera and microphone, opened again as chosen in the device check (the browser
// remembers the permission) and held while waiting: on admission the call starts on this
// page with them, with no page load and no second start of the camera.
let held = null;
let inCall = false;
const preview = document.getElementById("waiting-preview");
const previewOffNote = document.getElementById("preview-off-note");
const media = openLocalMedia().then(({ stream }) => {
  held = stream;
  // The call's connection too, while nothing happens (mesh.js, "warmUp").
  warmUp();
  if (!stream || inCall) return;
  preview.querySelector("video").srcObject = stream;
  preview.hidden = !stream.getVideoTracks().length;
});

document.getElementById("preview-off").addEventListener("click", async () => {
  await media;
  held?.getTracks().forEach((track) => track.stop());
  held = null;
  preview.hidden = true;
  previewOffNote.hidden = false;
  previewOffNote.textContent = msg.msgCameraOffNote;
  previewOffNote.tabIndex = -1;
  previewOffNote.focus();
});

// Admitted: this page becomes the call. The address becomes the call's, so that a reload
// (or a link kept) opens the call page itself.
// `cues`: what tells the citizen, run once the call's socket is on its way.
function enterCall(message, cues = () => {}) {
  if (inCall) return;
  if (!message.socket) {
    cues();
    window.location.assign(message.call_url);
    return;
  }
  inCall = true;
  // The same citizen's waiting room may be open in two windows (a second tab, the link
  // opened again), both shown: only one starts the call, the first to be admitted. The
  // other says where the call is and lets the citizen take it (the office then moves it,
  // room_consumer.py). A page's lock goes with the page.
  if (!navigator.locks) {
    startHere(message, cues);
    return;
  }
  navigator.locks.request(`bb-call ${root.dataset.socket}`, { ifAvailable: true }, (lock) => {
    if (!lock) {
      showCallElsewhere(message);
      return undefined;
    }
    startHere(message, cues);
    return new Promise(() => {}); // held as long as this page lives
  });
}

function startHere(message, cues) {
  // First the call's socket, then the rest: the waiting room's closes once the call's is
  // open, so that its going away (a write and an announcement in the office) does not
  // stand in the call's way.
  const callSocket = openCallSocket(message.socket, () => socket.close());
  // The browser starts the socket's connection only when this task ends: the page turns
  // into the call in the next one (docs/benchmarks.md, "Call set-up").
  setTimeout(() => turnIntoCall(message, callSocket, cues), 0);
}

// Another window of this citizen has started the call: this one stops waiting, lets go
// of the camera and shows what the call page shows when its call moved elsewhere.
function showCallElsewhere(message) {
  socket.close();
  media.then(() => held?.getTracks().forEach((track) => track.stop()));
  const panel = becomeCallPage(message);
  const moved = document.getElementById("call-moved");
  for (const child of panel.children) child.hidden = child !== moved;
  // The call page, loaded here, takes the call over.
  document.getElementById("call-here").addEventListener("click", () => window.location.reload());
  moved.querySelector("h2").focus();
}

function turnIntoCall(message, callSocket, cues) {
  cues();
  const panel = becomeCallPage(message);
  panel.dataset.socket = message.socket;
  panel.dataset.endedUrl = message.ended_url;
  headingElement.focus();
  // Media still opening (admitted just as the page loaded) is waited for, not opened twice.
  media.then(() => startCall(panel, { stream: held, socket: callSocket }));
}

// The page becomes the call's: its address (a reload opens the call page itself), its
// heading and layout. Returns the call's panel.
function becomeCallPage(message) {
  history.replaceState(null, "", message.call_url);
  // The waiting room's parts go (not only hidden): the call's own fields and regions
  // ("Message", the live status) are the only ones of their names on the page.
  root.remove();
  document.getElementById("waiting-call").hidden = false;
  // The call's own layout (on a phone: the controls in a grid, the header slim).
  document.body.classList.add("call-page");
  const [before, after = ""] = msg.msgCallHeading.split("%(name)s");
  headingElement.replaceChildren(before, officeText(department), after);
  headingElement.classList.add("call-title");
  retitle(headingElement.textContent);
  return document.getElementById("call");
}

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

// "Notify me when it is my turn": shown only while the browser has not been asked.
offerNotifications(document.getElementById("enable-notifications"));

function notifyTurn() {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const note = new Notification(msg.msgYourTurn, { body: msg.msgTurnWaits, tag: "bb-admitted" });
  note.onclick = () => {
    window.focus();
    note.close();
  };
}

// Back at the page, the office answers "visible" with the admission (or, if it went
// unanswered meanwhile, with the place at the front); the button does not wait for that.
joinButton.addEventListener("click", () => {
  if (waitingAdmission) enterCall(waitingAdmission);
});

rejoinButton.addEventListener("click", () => {
  rejoinButton.disabled = socket.send({ type: "rejoin" });
});

leaveButton.addEventListener("click", () => {
  leaveButton.disabled = true;
  if (!socket.send({ type: "leave" })) leaveButton.disabled = false;
});

// The citizen's answers on their way, oldest first: the office answers each in order,
// "reply-sent" or an error (too many in a short time, nothing left once cleaned).
const pendingReplies = [];

function settleReplies() {
  pendingReplies.length = 0;
}

// A refused answer is not left in the list as if sent: it is taken out, its words go back
// into the field (unless something new was typed there), and the office's reason is shown
// and read out beside the field.
function refuseReply(reason) {
  const item = pendingReplies.shift();
  if (item) {
    item.remove();
    if (!replyText.value.trim()) replyText.value = item.querySelector("span").textContent;
  }
  replyText.setAttribute("aria-invalid", "true");
  replyStatus.textContent = reason;
  replyText.focus();
}

// The citizen's answer: shown in their own list at once, relayed to the office, not kept.
replyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = replyText.value.trim();
  if (!text) {
    replyText.focus();
    return;
  }
  if (!socket.send({ type: "reply", text })) return;
  const item = document.createElement("p");
  item.className = "citizen-reply";
  pendingReplies.push(item);
  replyText.removeAttribute("aria-invalid");
  replyStatus.textContent = "";
  const label = document.createElement("strong");
  label.textContent = `${msg.msgReplyYou} `;
  const words = document.createElement("span");
  words.dir = "auto";
  words.textContent = text;
  item.append(label, words);
  staffMessages.append(item);
  replyText.value = "";
  replyText.focus();
});
