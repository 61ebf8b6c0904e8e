// Staff console: pass a waiting citizen on to another department ("Pass on"), show the
// note a colleague passed them on with, and the citizen's replies under their row.
//
// Kept apart from console.js, which calls these hooks. Replies are relayed, never
// stored: they live in this page only, and a reload forgets them.
import { format } from "./socket.js";

const root = document.getElementById("console");
const msg = root.dataset;
const dialog = document.getElementById("transfer-dialog");
const select = document.getElementById("transfer-department");
const note = document.getElementById("transfer-note");
const tell = document.getElementById("transfer-tell");
const heading = document.getElementById("transfer-dialog-title");
const noOpen = document.getElementById("transfer-none");
const sendButton = document.getElementById("transfer-send");

// Only departments that take citizens now: the public board's states, read afresh when
// the dialog opens (a department may have closed since the page loaded).
async function openDepartments() {
  try {
    const response = await fetch("/status.json", { cache: "no-cache" });
    const board = await response.json();
    return new Set(board.departments.filter((d) => d.state !== "closed").map((d) => d.slug));
  } catch {
    return null; // unknown: offer all; the server refuses a closed one with a sentence
  }
}

export function transferButton(id, entryOf, send) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "transfer";
  element.textContent = msg.msgTransfer;
  element.addEventListener("click", async () => {
    const entry = entryOf(id);
    if (!entry) return;
    const opener = element;
    const open = await openDepartments();
    let first = null;
    for (const option of select.options) {
      const usable = String(entry.department) !== option.value && (!open || open.has(option.dataset.slug));
      option.hidden = !usable;
      option.disabled = !usable;
      if (usable && !first) first = option;
    }
    select.value = first ? first.value : "";
    noOpen.hidden = Boolean(first);
    select.disabled = !first;
    sendButton.disabled = !first;
    heading.textContent = format(msg.msgTransferTitle, { name: entry.name });
    note.value = "";
    tell.checked = false;
    dialog.returnValue = "";
    dialog.showModal();
    (first ? select : note).focus();
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "send" && select.value) {
        send({
          type: "transfer",
          entry: id,
          department: Number(select.value),
          note: note.value.trim(),
          tell_citizen: tell.checked,
        });
      }
      // Back to the list: to this row's button; when the row goes (the citizen was passed
      // on), console.js moves focus on to the next row.
      if (opener.isConnected) opener.focus();
    }, { once: true });
  });
  return element;
}

// The row's extra lines: where the citizen came from with the colleague's note, and
// replies (added by showReply).
export function extraLines(item) {
  const passed = document.createElement("p");
  passed.className = "entry-passed-on";
  passed.hidden = true;
  const replies = document.createElement("ul");
  replies.className = "entry-replies";
  replies.setAttribute("aria-label", msg.msgReplies);
  replies.hidden = true;
  item.append(passed, replies);
}

export function fillExtra(item, entry) {
  const passed = item.querySelector(".entry-passed-on");
  if (!passed) return;
  passed.hidden = !entry.passed_on_from;
  const text = entry.passed_on_from
    ? format(entry.note ? msg.msgPassedOnNote : msg.msgPassedOn, { department: entry.passed_on_from, note: entry.note })
    : "";
  if (passed.textContent !== text) passed.textContent = text;
  item.querySelector(".transfer")?.setAttribute("aria-label", `${msg.msgTransfer}: ${entry.name}`);
}

export function showReply(item, message, name) {
  const replies = item?.querySelector(".entry-replies");
  if (!replies) return null;
  const line = document.createElement("li");
  line.className = "entry-reply";
  line.dir = "auto";
  line.textContent = format(msg.msgReply, { text: message.text });
  replies.append(line);
  replies.hidden = false;
  return format(msg.msgReplyFrom, { name, text: message.text });
}
