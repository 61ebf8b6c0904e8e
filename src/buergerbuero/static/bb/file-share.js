// Documents in the call: a PDF or a picture goes to the others over each connection's own
// data channel (mesh.js), peer to peer and encrypted like the media. It never passes the
// server and is never stored there: the receiver holds it in memory until the call ends.
//
// On the channel, per file: a JSON header {kind: "file", name, size}, then the bytes in
// binary chunks, then {kind: "end"}; one file at a time per channel (it is ordered and
// reliable). Both sides check the content: the sender before offering, the receiver before
// showing it, by the first bytes of the file, not by its name or the type it claims.
import { flag } from "./attention.js";
import { chime } from "./sound.js";
import { format } from "./socket.js";

// The largest file accepted either way (docs/privacy.md, docs/architecture.md).
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
// All that one call may hand a browser: more is refused, so a participant cannot fill the
// others' memory with files.
const MAX_RECEIVED_BYTES = 10 * MAX_FILE_BYTES;
// Small enough for every browser's largest data channel message.
const CHUNK_BYTES = 16 * 1024;
// Back-pressure: stop queueing above the high mark, go on below the low one.
const BUFFER_HIGH = 4 * 1024 * 1024;
const BUFFER_LOW = 1024 * 1024;
const MAX_NAME = 200;

const TYPES = [
  { type: "application/pdf", label: "PDF", extensions: ["pdf"], test: (b) => startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d]) }, // %PDF-
  { type: "image/png", label: "PNG", extensions: ["png"], test: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: "image/jpeg", label: "JPEG", extensions: ["jpg", "jpeg"], test: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  {
    type: "image/webp",
    label: "WebP",
    extensions: ["webp"],
    // RIFF....WEBP
    test: (b) => startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b.subarray(8), [0x57, 0x45, 0x42, 0x50]),
  },
];

function startsWith(bytes, magic) {
  return bytes.length >= magic.length && magic.every((value, index) => bytes[index] === value);
}

// The accepted type of these bytes (their first few), or null.
export function detectType(bytes) {
  return TYPES.find((kind) => kind.test(bytes)) || null;
}

// The name to save under: the sender's, cut to a sane length, with the extension of what
// the file really is (a PDF called "form.exe" is saved as "form.exe.pdf").
function safeName(name, kind) {
  const clean = String(name || "")
    .replace(/[\u0000-\u001f\u007f/\\]/g, "_")
    .trim()
    .slice(0, MAX_NAME);
  const extension = clean.includes(".") ? clean.split(".").pop().toLowerCase() : "";
  if (kind.extensions.includes(extension)) return clean;
  return `${clean || "document"}.${kind.extensions[0]}`;
}

function readableSize(bytes, language) {
  const units = [
    ["megabyte", 1024 * 1024],
    ["kilobyte", 1024],
  ];
  const [unit, factor] = units.find(([, value]) => bytes >= value) || ["byte", 1];
  const number = new Intl.NumberFormat(language, { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 1 });
  return number.format(bytes / factor);
}

function untilDrained(channel) {
  if (channel.bufferedAmount <= BUFFER_HIGH) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      channel.removeEventListener("bufferedamountlow", done);
      channel.removeEventListener("close", done);
      if (channel.readyState === "open") resolve();
      else reject(new Error("channel closed"));
    };
    channel.addEventListener("bufferedamountlow", done);
    channel.addEventListener("close", done);
  });
}

async function sendOver(channel, name, bytes) {
  channel.send(JSON.stringify({ kind: "file", name, size: bytes.length }));
  for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
    await untilDrained(channel);
    channel.send(bytes.subarray(offset, offset + CHUNK_BYTES));
  }
  channel.send(JSON.stringify({ kind: "end" }));
  // Sent means handed to the connection: wait until it has gone out.
  while (channel.bufferedAmount > 0 && channel.readyState === "open") {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (channel.readyState !== "open") throw new Error("channel closed");
}

// `root` is the call panel; `mesh` the call's Mesh; `say` puts a sentence into the status line;
// `nameOf(peer)` is how a participant is called here. Returns { attach(peer), received, close() }.
export function fileShare(root, { mesh, say, nameOf }) {
  const msg = root.dataset;
  const language = document.documentElement.lang;
  const form = document.getElementById("file-form");
  const input = document.getElementById("file-input");
  const sendButton = document.getElementById("file-send");
  const error = document.getElementById("file-error");
  const list = document.getElementById("file-list");
  const empty = document.getElementById("file-empty");
  const urls = [];
  // What arrived, as the list shows it (for the browser tests: what exactly arrived).
  const received = [];
  let closed = false;
  let receivedBytes = 0;

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    if (text) say(text);
  }

  function link(text, name, url, attributes) {
    const anchor = document.createElement("a");
    anchor.href = url;
    anchor.className = "button";
    Object.assign(anchor, attributes);
    // "Open" and "Save" say which file to a screen reader listing the links.
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = `: ${name}`;
    hidden.dir = "auto";
    anchor.append(text, hidden);
    return anchor;
  }

  // One line in the list: what, how big, from whom; Open and Save for a received file.
  function addItem({ name, kind, size, from, blob }) {
    const item = document.createElement("li");
    item.className = from ? "file-item received" : "file-item";
    const title = document.createElement("strong");
    title.className = "file-name";
    title.textContent = name;
    title.dir = "auto";
    const details = document.createElement("span");
    details.className = "file-details";
    const who = from ? format(msg.msgFileFrom, { name: from }) : msg.msgFileSent;
    details.textContent = `${kind.label}, ${readableSize(size, language)} – ${who}`;
    item.append(title, " ", details);
    if (blob) {
      const url = URL.createObjectURL(blob);
      urls.push(url);
      const actions = document.createElement("span");
      actions.className = "file-actions";
      actions.append(
        link(msg.msgOpen, name, url, { target: "_blank", rel: "noopener" }),
        " ",
        link(msg.msgSave, name, url, { download: name }),
      );
      item.append(" ", actions);
    }
    list.append(item);
    list.hidden = false;
    empty.hidden = true;
    return item;
  }

  // The receiving side of one peer's channel.
  function attach(peer) {
    const channel = peer.files;
    channel.binaryType = "arraybuffer";
    channel.bufferedAmountLowThreshold = BUFFER_LOW;
    let incoming = null;
    channel.addEventListener("message", ({ data }) => {
      if (closed) return;
      if (typeof data !== "string") {
        if (!incoming || incoming.refused) return;
        incoming.received += data.byteLength;
        // More than announced: not a file we accept; its remaining chunks are dropped.
        if (incoming.received > incoming.size) incoming.refused = true;
        else incoming.chunks.push(data);
        return;
      }
      let header;
      try {
        header = JSON.parse(data);
      } catch {
        return;
      }
      if (header?.kind === "file") {
        const size = Number(header.size);
        const fine =
          Number.isInteger(size) && size > 0 && size <= MAX_FILE_BYTES && receivedBytes + size <= MAX_RECEIVED_BYTES;
        incoming = { name: String(header.name || "").slice(0, MAX_NAME), size, received: 0, chunks: [], refused: !fine };
        if (fine) say(format(msg.msgFileIncoming, { name: nameOf(peer) }));
      } else if (header?.kind === "end" && incoming) {
        finish(peer, incoming);
        incoming = null;
      }
    });
    // A connection replaced or closed mid-transfer: what had arrived is dropped.
    channel.addEventListener("close", () => {
      incoming = null;
    });
  }

  function finish(peer, file) {
    const from = nameOf(peer);
    const kind = !file.refused && file.received === file.size ? detectType(new Uint8Array(file.chunks[0] || [])) : null;
    if (!kind) {
      say(format(msg.msgFileRefusedIncoming, { name: from, limit: readableSize(MAX_FILE_BYTES, language) }));
      return;
    }
    receivedBytes += file.size;
    const blob = new Blob(file.chunks, { type: kind.type });
    const name = safeName(file.name, kind);
    const item = addItem({ name, kind, size: file.size, from, blob });
    received.push({ name, type: kind.type, from, blob });
    item.classList.add("new");
    const news = format(msg.msgFileReceived, { name: from, file: name });
    say(news);
    // Heard and seen: the chime, and the tab's title and a banner (attention.js).
    chime();
    flag(news);
  }

  async function send(file) {
    if (!file) {
      showError(msg.msgFileChoose);
      return;
    }
    if (file.size > MAX_FILE_BYTES) {
      showError(
        format(msg.msgFileTooLarge, { size: readableSize(file.size, language), limit: readableSize(MAX_FILE_BYTES, language) }),
      );
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const kind = detectType(bytes);
    if (!kind) {
      showError(msg.msgFileRefused);
      return;
    }
    const peers = [...mesh.peers.values()].filter((peer) => peer.files?.readyState === "open");
    if (!peers.length) {
      showError(msg.msgFileNobody);
      return;
    }
    showError("");
    const name = safeName(file.name, kind);
    say(format(msg.msgFileSending, { file: name }));
    const results = await Promise.allSettled(peers.map((peer) => sendOver(peer.files, name, bytes)));
    const reached = peers.filter((_, index) => results[index].status === "fulfilled").map(nameOf);
    const missed = peers.filter((_, index) => results[index].status === "rejected").map(nameOf);
    if (reached.length) {
      addItem({ name, kind, size: bytes.length, from: null, blob: null });
      say(format(msg.msgFileDone, { file: name, names: reached.join(", ") }));
    }
    if (missed.length) showError(format(msg.msgFileFailed, { file: name, names: missed.join(", ") }));
    else input.value = "";
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sendButton.disabled) return;
    sendButton.disabled = true;
    try {
      await send(input.files?.[0]);
    } finally {
      sendButton.disabled = false;
    }
  });
  input.addEventListener("change", () => showError(""));

  return {
    attach,
    received,
    // The call is over: received files are let go.
    close() {
      closed = true;
      for (const url of urls.splice(0)) URL.revokeObjectURL(url);
      received.length = 0;
    },
  };
}
