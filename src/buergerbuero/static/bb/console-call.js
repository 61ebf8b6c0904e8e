// The staff side of a call that starts in place, in the console, without a page load.
//
// While the member is available and someone waits for them, the camera and microphone are
// held, ready: admission then starts the call with them at once instead of starting the
// camera (and loading a page) after the click. The console says so, and the member can
// switch it off (remembered in this browser). Held media is released a minute after
// nobody waits any more or the member stops being available.
import { retitle } from "./attention.js";
import { openCallSocket, startCall } from "./call-session.js";
import { openLocalMedia } from "./device-check.js";
import { warmUp } from "./mesh.js";
import { format } from "./socket.js";

const RELEASE_AFTER_MS = 60_000;
const OPT_OUT_KEY = "bb-camera-ready-off";

const section = document.getElementById("console-call");
const readyBox = document.getElementById("camera-ready");
const readySwitch = document.getElementById("camera-ready-switch");
let held = null; // Promise of the held MediaStream (or null), while held
let releaseTimer = null;
let wanted = false;
let inCall = false;

readySwitch.checked = localStorage.getItem(OPT_OUT_KEY) !== "1";
readySwitch.addEventListener("change", () => {
  localStorage.setItem(OPT_OUT_KEY, readySwitch.checked ? "0" : "1");
  if (readySwitch.checked) keepMediaReady(wanted);
  else release();
});

// `want`: the member is available somewhere and someone waits there.
export function keepMediaReady(want) {
  wanted = want;
  if (inCall) return;
  readyBox.hidden = !want;
  if (want && readySwitch.checked) {
    clearTimeout(releaseTimer);
    releaseTimer = null;
    held ||= openLocalMedia().then(({ stream }) => stream);
    // The connection too, while nothing happens (mesh.js, "warmUp").
    held.then(warmUp);
  } else if (held && !releaseTimer) {
    releaseTimer = setTimeout(release, want ? 0 : RELEASE_AFTER_MS);
  }
}

function release() {
  clearTimeout(releaseTimer);
  releaseTimer = null;
  const pending = held;
  held = null;
  pending?.then((stream) => stream?.getTracks().forEach((track) => track.stop()));
}

export function inCallNow() {
  return inCall;
}

// The console's admission answer: the call starts here, the queue stays below it (new
// knocks still alert). The address becomes the call's, so a reload opens the call page.
export function enterCall(message, departmentName) {
  if (inCall) return;
  if (!message.socket) {
    window.location.assign(message.call_url);
    return;
  }
  inCall = true;
  const socket = openCallSocket(message.socket); // first: the rest runs during its handshake
  // The browser starts the socket's connection only when this task ends: the page turns
  // into the call in the next one (docs/benchmarks.md, "Call set-up").
  setTimeout(() => turnIntoCall(message, departmentName, socket), 0);
}

function turnIntoCall(message, departmentName, socket) {
  clearTimeout(releaseTimer);
  readyBox.hidden = true;
  history.replaceState(null, "", message.call_url);
  const panel = document.getElementById("call");
  panel.dataset.socket = message.socket;
  section.hidden = false;
  document.body.classList.add("call-page", "in-call");
  const heading = document.getElementById("console-call-heading");
  heading.textContent = format(section.dataset.msgHeading, { name: departmentName || "" });
  retitle(heading.textContent);
  heading.focus();
  const media = held || Promise.resolve(null);
  held = null;
  // The ICE settings came with the answer: the connection to the citizen is made while
  // the call's socket opens (mesh.js, "made ahead").
  const ice = message.ice_servers ? { servers: message.ice_servers, policy: message.ice_transport_policy } : null;
  media.then((stream) => startCall(panel, { stream, socket, ice }));
}
