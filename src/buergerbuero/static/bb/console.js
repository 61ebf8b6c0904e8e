// Staff console: one queue of every department the member serves, presence per
// department, admit / decline / message, knock alerts.
//
// The socket sends the whole desk once ("queues") and then only what changed
// ("queue-update": the changed departments; "queue-delta": citizens who joined); rows are keyed by entry id and changed in place, so focus stays where
// it was, and each event is told to screen readers in one sentence (#console-announce),
// never the whole queue.
import { enterCall, inCallNow, keepMediaReady } from "./console-call.js";
import { refreshCallbacks } from "./console-callbacks.js";
import { extraLines, fillExtra, showReply, transferButton } from "./console-transfer.js";
import { DeskState, compareEntries } from "./desk-state.js";
import { alertKnock, knockSentence, offerNotifications } from "./knock-alerts.js";
import { connectSocket, format } from "./socket.js";

const root = document.getElementById("console");
const msg = root.dataset;
const list = document.getElementById("queue-list");
const empty = document.getElementById("queue-empty");
const count = document.getElementById("queue-count");
const heading = document.getElementById("queue-heading");
// Back from a call (call-page.js): focus on the queue, where the next citizen waits.
if (sessionStorage.getItem("bb-after-call")) {
  sessionStorage.removeItem("bb-after-call");
  heading.focus();
}
const filter = document.getElementById("queue-filter");
const lines = document.getElementById("departments");
const status = document.getElementById("console-status");
const announcer = document.getElementById("console-announce");
const presenceAll = document.getElementById("presence");
const desk = new DeskState();
const rows = new Map(); // entry id -> <li>
const departmentLines = new Map(); // department id -> <li>
const lang = document.documentElement.lang || "de";
const languageNames = new Intl.DisplayNames([lang], { type: "language" });
// Times in the department's zone, 24-hour like every staff page of the office.
const timeFormats = new Map();
function timeFormat(timeZone) {
  if (!timeFormats.has(timeZone)) {
    timeFormats.set(timeZone, new Intl.DateTimeFormat(lang, {
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone,
    }));
  }
  return timeFormats.get(timeZone);
}

function announce(text) {
  // Cleared first, so the same sentence twice is still read twice.
  announcer.textContent = "";
  setTimeout(() => { announcer.textContent = text; }, 50);
}

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

function span(className, text = "") {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

// m:ss, or h:mm:ss after an hour.
function duration(since) {
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

// Ask staff for a text in the page's modal dialog; resolves to the text, or null when
// cancelled (Escape, the Cancel button). Focus returns to the button that asked, or to
// the queue heading if that button went away meanwhile.
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
      else heading.focus();
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

const confirmDialog = document.getElementById("confirm-dialog");
function confirmAdmit(text) {
  const opener = document.activeElement;
  document.getElementById("confirm-dialog-text").textContent = text;
  confirmDialog.returnValue = "";
  confirmDialog.showModal();
  return new Promise((resolve) => {
    confirmDialog.addEventListener("close", () => {
      if (opener && opener.isConnected) opener.focus();
      else heading.focus();
      resolve(confirmDialog.returnValue === "yes");
    }, { once: true });
  });
}

function languageLabel(code) {
  if (!code) return "";
  try {
    return languageNames.of(code);
  } catch {
    return code;
  }
}

function current(id) {
  return desk.entries.get(id);
}

// The department of the citizen being admitted: the call's heading names it.
let admitting = "";

async function admit(event, id) {
  const target = event.currentTarget;
  const entry = current(id);
  if (!entry) return;
  // One call at a time: the one running goes on, the citizen keeps waiting.
  if (inCallNow()) {
    status.textContent = msg.msgInCall;
    return;
  }
  // Never admitted as if present: a page in the background (perhaps a suspended phone
  // tab) or a lost connection is named first.
  if (entry.background_since) {
    const text = format(msg.msgConfirmBackground, { name: entry.name, duration: duration(entry.background_since) });
    if (!(await confirmAdmit(text))) return;
  } else if (entry.gone_since) {
    const text = format(msg.msgConfirmGone, { name: entry.name, duration: duration(entry.gone_since) });
    if (!(await confirmAdmit(text))) return;
  }
  admitting = desk.departmentOf(entry)?.name || "";
  // Disabled against double clicks; a refused send leaves it usable.
  target.disabled = socket.send({ type: "admit", entry: id });
}

function createRow(entry) {
  const item = document.createElement("li");
  item.className = "queue-entry";
  item.dataset.entry = entry.id;
  const main = document.createElement("div");
  main.className = "entry-main";
  const name = document.createElement("strong");
  name.className = "entry-name";
  main.append(
    name, span("entry-department"), span("booked-flag"), span("entry-details"),
    span("language-flag"), span("entry-topic"), span("entry-called"), span("entry-gone"),
    span("entry-background"),
  );
  main.querySelector(".language-flag").lang = lang;
  const id = entry.id;
  const actions = document.createElement("div");
  actions.className = "entry-actions";
  actions.append(
    button(msg.msgAdmit, (event) => admit(event, id), "primary admit"),
    button(msg.msgDecline, async () => {
      const now = current(id);
      if (!now) return;
      const text = await askText({
        title: format(msg.msgDeclineTitle, { name: now.name }),
        label: msg.msgDeclinePrompt,
        initial: msg.msgDeclineDefault,
        optional: true,
      });
      // Written in the console's language (the default text is): the citizen's page marks it so.
      if (text !== null) {
        socket.send({ type: "decline", entry: id, message: text, lang: document.documentElement.lang });
      }
    }, "decline"),
    button(msg.msgMessage, async () => {
      const now = current(id);
      if (!now) return;
      const text = await askText({
        title: format(msg.msgMessageTitle, { name: now.name }),
        label: msg.msgMessagePrompt,
      });
      if (text) socket.send({ type: "message", department: now.department, entry: id, text });
    }, "message"),
    transferButton(id, current, (message) => socket.send(message)),
  );
  item.append(main, actions);
  extraLines(item);
  return item;
}

function fillRow(item, entry) {
  const department = desk.departmentOf(entry);
  const clock = timeFormat(department?.time_zone || "Europe/Berlin");
  setText(item.querySelector(".entry-name"), entry.name);
  setText(item.querySelector(".entry-department"), department?.name || "");
  const booked = item.querySelector(".booked-flag");
  booked.hidden = !entry.booked_for;
  setText(booked, entry.booked_for ? format(msg.msgBooked, { time: clock.format(new Date(entry.booked_for)) }) : "");
  updateWaited(item, entry);
  const language = item.querySelector(".language-flag");
  language.hidden = !entry.language;
  setText(language, entry.language ? format(msg.msgLanguage, { language: languageLabel(entry.language) }) : "");
  const topic = item.querySelector(".entry-topic");
  topic.hidden = !entry.topic;
  setText(topic, entry.topic);
  item.classList.toggle("gone", Boolean(entry.gone_since) && !entry.background_since);
  item.classList.toggle("background", Boolean(entry.background_since));
  const called = item.querySelector(".entry-called");
  called.hidden = !entry.called_at;
  setText(called, entry.called_at ? msg.msgCalledBack : "");
  updateGone(item, entry);
  const [admitButton, declineButton, messageButton] = item.querySelectorAll(".entry-actions button");
  admitButton.setAttribute("aria-label", `${msg.msgAdmit}: ${entry.name}`);
  declineButton.setAttribute("aria-label", `${msg.msgDecline}: ${entry.name}`);
  messageButton.setAttribute("aria-label", `${msg.msgMessage}: ${entry.name}`);
  fillExtra(item, entry);
  item.hidden = Boolean(filter.value) && String(entry.department) !== filter.value;
}

// "waiting 12 min" (short, so a row stays one line): the minutes change by themselves
// (the interval below), as text in place, in a list that is not a live region: nothing is
// read out for it.
function updateWaited(item, entry) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(entry.since)) / 60000));
  const template = minutes ? msg.msgWaitingFor : msg.msgWaitingJustNow;
  setText(item.querySelector(".entry-details"), format(template, { minutes }));
}

// A page in the background says so instead of "connection lost": a phone that suspends
// it drops the connection too, and the place is kept longer for it.
function updateGone(item, entry) {
  const background = item.querySelector(".entry-background");
  background.hidden = !entry.background_since;
  setText(background, entry.background_since ? format(msg.msgBackgroundSince, { duration: duration(entry.background_since) }) : "");
  const gone = item.querySelector(".entry-gone");
  const showGone = Boolean(entry.gone_since) && !entry.background_since;
  gone.hidden = !showGone;
  setText(gone, showGone ? format(msg.msgGoneSince, { duration: duration(entry.gone_since) }) : "");
}

// Where focus goes when the focused row disappears: the same button of the next row,
// else of the row before, else the queue's heading; never <body>.
function moveFocusFrom(item) {
  if (!item.contains(document.activeElement)) return;
  const buttons = [...item.querySelectorAll(".entry-actions button")];
  const index = Math.max(0, buttons.indexOf(document.activeElement));
  let neighbour = item.nextElementSibling;
  while (neighbour && (neighbour.hidden || !neighbour.dataset.entry || !desk.entries.has(neighbour.dataset.entry))) {
    neighbour = neighbour.nextElementSibling;
  }
  if (!neighbour) {
    neighbour = item.previousElementSibling;
    while (neighbour && (neighbour.hidden || !desk.entries.has(neighbour.dataset.entry))) {
      neighbour = neighbour.previousElementSibling;
    }
  }
  const target = neighbour?.querySelectorAll(".entry-actions button")[index];
  (target || heading).focus();
}

function renderQueue() {
  const ordered = desk.ordered();
  for (const [id, item] of rows) {
    if (!desk.entries.has(id)) {
      moveFocusFrom(item);
      item.remove();
      rows.delete(id);
    }
  }
  // An entry's place in the order never changes, so new rows are inserted before the
  // first row that follows them and no existing row moves (moving one would drop focus).
  let next = null;
  for (let i = ordered.length - 1; i >= 0; i -= 1) {
    const entry = ordered[i];
    let item = rows.get(entry.id);
    if (!item) {
      item = createRow(entry);
      rows.set(entry.id, item);
      list.insertBefore(item, next);
    }
    fillRow(item, entry);
    next = item;
  }
  const visible = ordered.filter((e) => !filter.value || String(e.department) === filter.value).length;
  setText(count, `(${visible})`);
  empty.hidden = visible > 0;
  // Should an unexpected order ever arrive, the DOM follows the data (rare; focus kept
  // where possible by moving only out-of-place rows).
  const shown = [...list.children];
  if (shown.some((item, i) => item.dataset.entry !== ordered[i]?.id)) {
    const byOrder = [...rows.values()].sort((a, b) => compareEntries(current(a.dataset.entry), current(b.dataset.entry)));
    byOrder.forEach((item, i) => {
      if (list.children[i] !== item && !item.contains(document.activeElement)) list.insertBefore(item, list.children[i]);
    });
  }
}

function presenceSelect(department) {
  const select = document.createElement("select");
  select.setAttribute("aria-label", format(msg.msgPresenceIn, { department: department.name }));
  for (const value of ["available", "paused", "offline"]) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = msg[`msg${value[0].toUpperCase()}${value.slice(1)}`];
    select.append(option);
  }
  select.addEventListener("change", () => {
    socket.send({ type: "presence", presence: select.value, departments: [department.id] });
  });
  return select;
}

function renderDepartments() {
  for (const department of desk.departments.values()) {
    let line = departmentLines.get(department.id);
    if (!line) {
      line = document.createElement("li");
      line.className = "department-line";
      line.dataset.department = department.slug;
      const name = span("department-name", department.name);
      name.id = `department-name-${department.id}`;
      const state = document.createElement("span");
      state.append(span("status"), " · ", span("waiting-count"));
      const message = button(msg.msgMessageAll, async () => {
        const text = await askText({
          title: format(msg.msgMessageAllTitle, { department: department.name }),
          label: msg.msgMessagePrompt,
        });
        if (text) socket.send({ type: "message", department: department.id, text });
      }, "message-all");
      // Named by its own words and then the department's name: the name a voice-control
      // user speaks must begin with what the button shows (WCAG 2.5.3), in every language.
      message.id = `message-all-${department.id}`;
      message.setAttribute("aria-labelledby", `${message.id} ${name.id}`);
      line.append(name, presenceSelect(department), state, message);
      departmentLines.set(department.id, line);
      lines.append(line);
    }
    const badge = line.querySelector(".status");
    badge.className = `status status-${department.status}`;
    setText(badge, msg[`msgStatus${department.status[0].toUpperCase()}${department.status.slice(1)}`]);
    setText(line.querySelector(".waiting-count"), format(msg.msgWaitingCount, { count: department.waiting }));
    const select = line.querySelector("select");
    if (select.value !== department.presence) select.value = department.presence;
    line.querySelector(".message-all").hidden = department.waiting === 0;
  }
  const values = new Set([...desk.departments.values()].map((d) => d.presence));
  for (const input of presenceAll.querySelectorAll("input")) {
    input.checked = values.size === 1 && values.has(input.value);
  }
}

// One sentence for a changed row: what is new about the citizen's page.
function changeSentence(entry, before) {
  if (entry.background_since && !before?.background_since) return msg.msgBackground;
  if (!entry.background_since && before?.background_since) return entry.gone_since ? msg.msgGone : msg.msgForeground;
  return entry.gone_since ? msg.msgGone : msg.msgBack;
}

function apply(message) {
  const { added, removed, changed, previous, first } = desk.apply(message);
  // Presence can be changed once the console is live (disabled in the page until then).
  presenceAll.disabled = false;
  for (const select of lines.querySelectorAll("select")) select.disabled = false;
  for (const element of list.querySelectorAll("button")) element.disabled = false;
  renderDepartments();
  renderQueue();
  keepMediaReady([...desk.departments.values()].some((d) => d.presence === "available" && d.waiting > 0));
  if (first) return;
  if (added.length) {
    const entry = added[0];
    const text = knockSentence(msg, entry, desk.departmentOf(entry));
    alertKnock(text, heading);
    announce(text);
  } else if (removed.length === 1) {
    announce(format(msg.msgNoLongerWaiting, { name: removed[0].name }));
  } else if (changed.length === 1) {
    const entry = changed[0];
    const before = previous.get(entry.id);
    announce(format(changeSentence(entry, before), { name: entry.name }));
  }
}

const socket = connectSocket(root.dataset.socket, {
  onOpen() {
    status.textContent = "";
    // A request made while the socket was away (a dropped network, a restart, or the
    // moment between the page's rendering and its socket's opening) was announced to
    // nobody here: the list is read again on every opening.
    refreshCallbacks(announce);
  },
  onMessage(message) {
    switch (message.type) {
      case "queues":
      case "queue-update":
      case "queue-delta":
        apply(message);
        break;
      case "admitted":
        enterCall(message, admitting);
        break;
      case "reply": {
        const entry = current(message.entry);
        const sentence = showReply(rows.get(message.entry), message, entry?.name || "");
        if (sentence) announce(sentence);
        break;
      }
      case "transferred":
        status.textContent = msg.msgTransferred;
        break;
      case "callbacks":
        refreshCallbacks(announce, message.withdrawn);
        break;
      case "message-sent":
        status.textContent = format(msg.msgSent, { count: message.recipients });
        break;
      case "error":
        status.textContent = message.code === "already_handled" ? msg.msgAlreadyHandled : message.message;
        for (const element of list.querySelectorAll("button.admit")) element.disabled = false;
        break;
      default:
        break;
    }
  },
  onClose(event, final) {
    // Until the next snapshot, what the queue shows may be stale: no actions on it.
    presenceAll.disabled = true;
    for (const select of lines.querySelectorAll("select")) select.disabled = true;
    for (const element of list.querySelectorAll("button")) element.disabled = true;
    if (!final) status.textContent = msg.msgConnectionLost;
    // Access withdrawn (suspended, removed): the citizens' names go from the screen too.
    if (event.code === 4403) list.replaceChildren();
  },
});

for (const input of presenceAll.querySelectorAll("input")) {
  input.addEventListener("change", () => socket.send({ type: "presence", presence: input.value }));
}

filter.addEventListener("change", renderQueue);

// "Connection lost for 0:40", counted up live, and the minutes waited.
setInterval(() => {
  for (const [id, item] of rows) {
    const entry = current(id);
    if (!entry) continue;
    if (entry.gone_since || entry.background_since) updateGone(item, entry);
    updateWaited(item, entry);
  }
}, 1000);

offerNotifications(document.getElementById("enable-notifications"));
