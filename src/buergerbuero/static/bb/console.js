// Staff console: live queues, presence, admit / decline / message, knock alerts.
import { chime, unlockSound } from "./sound.js";
import { connectSocket, format } from "./socket.js";

const root = document.getElementById("console");
const msg = root.dataset;
const queues = document.getElementById("queues");
const status = document.getElementById("console-status");
let known = null; // entry ids seen so far; null until the first snapshot
const languageNames = new Intl.DisplayNames([document.documentElement.lang || "de"], { type: "language" });
// Times in the department's zone, 24-hour like every staff page of the office.
const timeFormats = new Map();
function timeFormat(timeZone) {
  if (!timeFormats.has(timeZone)) {
    timeFormats.set(timeZone, new Intl.DateTimeFormat(document.documentElement.lang || "de", {
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone,
    }));
  }
  return timeFormats.get(timeZone);
}

document.addEventListener("click", unlockSound, { once: true });
document.addEventListener("keydown", unlockSound, { once: true });

function button(label, onClick, className = "", accessibleName = "") {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  // Several "Admit" buttons on one page: the accessible name says whom it admits.
  if (accessibleName) element.setAttribute("aria-label", accessibleName);
  element.className = className;
  element.addEventListener("click", onClick);
  return element;
}

// Ask staff for a text in the page's modal dialog; resolves to the text, or null when
// cancelled (Escape, the Cancel button). Focus returns to the button that asked, or to
// the queue heading if a live update replaced that button meanwhile.
const dialog = document.getElementById("text-dialog");
const dialogInput = document.getElementById("text-dialog-input");
const dialogError = document.getElementById("text-dialog-error");
function askText({ title, label, initial = "", optional = false }) {
  const opener = document.activeElement;
  document.getElementById("text-dialog-title").textContent = title;
  document.getElementById("text-dialog-label").textContent = label;
  dialogInput.value = initial;
  // Not the `required` attribute: its browser bubble is not announced everywhere.
  dialogInput.dataset.required = optional ? "" : "yes";
  dialogInput.setAttribute("aria-required", optional ? "false" : "true");
  dialogInput.removeAttribute("aria-invalid");
  dialogError.hidden = true;
  dialog.returnValue = "";
  dialog.showModal();
  dialogInput.focus();
  dialogInput.select();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (opener && opener.isConnected) opener.focus();
      else queues.querySelector("h2")?.focus();
      resolve(dialog.returnValue === "send" ? dialogInput.value.trim() : null);
    }, { once: true });
  });
}
dialog.querySelector("form").addEventListener("submit", (event) => {
  // A required text left empty: say so in the dialog instead of sending nothing.
  if (event.submitter?.value === "send" && dialogInput.dataset.required && !dialogInput.value.trim()) {
    event.preventDefault();
    dialogError.hidden = false;
    dialogInput.setAttribute("aria-invalid", "true");
    dialogInput.setAttribute("aria-describedby", "text-dialog-error");
    dialogInput.focus();
  }
});

function languageLabel(code) {
  if (!code) return "";
  try {
    return languageNames.of(code);
  } catch {
    return code;
  }
}

function renderEntry(entry, department) {
  const item = document.createElement("li");
  item.className = "queue-entry";
  item.dataset.entry = entry.id;
  const name = document.createElement("strong");
  name.className = "entry-name";
  name.textContent = entry.name;
  const details = document.createElement("span");
  details.className = "entry-details";
  const clock = timeFormat(department.time_zone);
  const parts = [format(msg.msgWaitingSince, { time: clock.format(new Date(entry.since)) })];
  if (entry.booked_for) {
    // Booked citizens are flagged and listed first (the server orders the queue).
    const flag = document.createElement("span");
    flag.className = "booked-flag";
    flag.textContent = format(msg.msgBooked, { time: clock.format(new Date(entry.booked_for)) });
    item.append(flag, " ");
  }
  if (entry.language) {
    // Set apart, so staff can invite an interpreter before admitting.
    const flag = document.createElement("span");
    flag.className = "language-flag";
    flag.lang = document.documentElement.lang;
    flag.textContent = format(msg.msgLanguage, { language: languageLabel(entry.language) });
    item.append(flag, " ");
  }
  details.textContent = parts.join(" · ");
  item.append(name, " ", details);
  if (entry.topic) {
    const topic = document.createElement("p");
    topic.className = "entry-topic";
    topic.textContent = entry.topic;
    item.append(topic);
  }
  const actions = document.createElement("div");
  actions.className = "entry-actions";
  actions.append(
    button(msg.msgAdmit, (event) => {
      // Disabled against double clicks; a refused send leaves it usable.
      event.currentTarget.disabled = socket.send({ type: "admit", entry: entry.id });
    }, "primary admit", `${msg.msgAdmit}: ${entry.name}`),
    button(msg.msgDecline, async () => {
      const text = await askText({
        title: format(msg.msgDeclineTitle, { name: entry.name }),
        label: msg.msgDeclinePrompt,
        initial: msg.msgDeclineDefault,
        optional: true,
      });
      if (text !== null) socket.send({ type: "decline", entry: entry.id, message: text });
    }, "decline", `${msg.msgDecline}: ${entry.name}`),
    button(msg.msgMessage, async () => {
      const text = await askText({
        title: format(msg.msgMessageTitle, { name: entry.name }),
        label: msg.msgMessagePrompt,
      });
      if (text) socket.send({ type: "message", department: department.id, entry: entry.id, text });
    }, "message", `${msg.msgMessage}: ${entry.name}`),
  );
  item.append(actions);
  return item;
}

function render(snapshot) {
  // Presence can be changed once the console is live (disabled in the page until then).
  document.getElementById("presence").disabled = false;
  for (const input of root.querySelectorAll('input[name="presence"]')) {
    input.checked = input.value === snapshot.presence;
  }
  const fresh = [];
  const seen = new Set();
  queues.replaceChildren();
  for (const department of snapshot.departments) {
    const section = document.createElement("section");
    section.className = "queue";
    section.dataset.department = department.slug;
    const heading = document.createElement("h2");
    heading.tabIndex = -1; // focus lands here when a dialog's button went away meanwhile
    heading.textContent = `${department.name} (${department.waiting.length})`;
    const badge = document.createElement("span");
    badge.className = `status status-${department.status}`;
    badge.textContent = msg[`msgStatus${department.status[0].toUpperCase()}${department.status.slice(1)}`];
    const list = document.createElement("ol");
    list.className = "queue-list";
    for (const entry of department.waiting) {
      seen.add(entry.id);
      if (known && !known.has(entry.id)) fresh.push([entry, department]);
      list.append(renderEntry(entry, department));
    }
    if (!department.waiting.length) {
      const empty = document.createElement("li");
      empty.textContent = msg.msgEmpty;
      list.append(empty);
    }
    section.append(heading, badge, list);
    if (department.waiting.length) {
      section.append(button(msg.msgMessageAll, async () => {
        const text = await askText({
          title: format(msg.msgMessageAllTitle, { department: department.name }),
          label: msg.msgMessagePrompt,
        });
        if (text) socket.send({ type: "message", department: department.id, text });
      }, "message-all", format(msg.msgMessageAllTitle, { department: department.name })));
    }
    queues.append(section);
  }
  known = seen;
  if (fresh.length) announceKnocks(fresh);
}

function announceKnocks(fresh) {
  chime();
  const [entry, department] = fresh[0];
  const text = format(msg.msgNewKnock, { name: entry.name, department: department.name });
  status.textContent = text;
  if ("Notification" in window && Notification.permission === "granted" && document.hidden) {
    new Notification(text, { tag: "bb-knock" });
  }
}

const socket = connectSocket(root.dataset.socket, {
  onOpen() {
    status.textContent = "";
  },
  onMessage(message) {
    switch (message.type) {
      case "queues":
        render(message);
        break;
      case "admitted":
        window.location.assign(message.call_url);
        break;
      case "message-sent":
        status.textContent = format(msg.msgSent, { count: message.recipients });
        break;
      case "error":
        status.textContent = message.code === "already_handled" ? msg.msgAlreadyHandled : message.message;
        for (const element of queues.querySelectorAll("button.admit")) element.disabled = false;
        break;
      default:
        break;
    }
  },
  onClose(_event, final) {
    // Until the next snapshot, what the queue shows may be stale: no actions on it.
    document.getElementById("presence").disabled = true;
    for (const element of queues.querySelectorAll("button")) element.disabled = true;
    if (!final) status.textContent = msg.msgConnectionLost;
  },
});

for (const input of root.querySelectorAll('input[name="presence"]')) {
  input.addEventListener("change", () => socket.send({ type: "presence", presence: input.value }));
}

const notifications = document.getElementById("enable-notifications");
if (!("Notification" in window) || Notification.permission !== "default") notifications.hidden = true;
notifications.addEventListener("click", async () => {
  await Notification.requestPermission();
  notifications.hidden = true;
});
