// A call: local media, the mesh, controls, chat, invitations, hang-up. Started on the call
// page (call-page.js), and in place where the call begins without a page load: in the
// citizen's waiting room and in the staff console, with the media they already hold.
import { openLocalMedia, rememberCamera, showDeviceHelp } from "./device-check.js";
import { watchWaiting } from "./call-waiting.js";
import { fileShare } from "./file-share.js";
import { labelToggle, showMediaState } from "./media-state.js";
import { Mesh } from "./mesh.js";
import { chime } from "./sound.js";
import { connectSocket, format } from "./socket.js";

// Front and back camera. A phone says which camera faces where in the device's
// capabilities (Chrome) or its label ("camera2 1, facing front"); then the switch
// alternates between the two sides (skipping a second back lens). Otherwise the cameras
// take turns in the order the browser lists them.
const FACING_LABELS = [
  ["user", /front|user|selfie/i],
  ["environment", /back|rear|environment/i],
];

function facingOf(device) {
  const [facing] = device.getCapabilities?.().facingMode || [];
  if (facing === "user" || facing === "environment") return facing;
  return FACING_LABELS.find(([, pattern]) => pattern.test(device.label))?.[0] || null;
}

async function cameras() {
  const devices = (await navigator.mediaDevices?.enumerateDevices?.()) || [];
  return devices.filter((device) => device.kind === "videoinput" && device.deviceId);
}

function nextCamera(list, current) {
  const settings = current.getSettings();
  const index = list.findIndex((device) => device.deviceId === settings.deviceId);
  const others = [...list.slice(index + 1), ...list.slice(0, Math.max(index, 0))];
  const facing = settings.facingMode || (index >= 0 ? facingOf(list[index]) : null);
  const otherSide = others.find((device) => {
    const side = facingOf(device);
    return facing && side && side !== facing;
  });
  return otherSide || others[0] || null;
}

// `root` is the call panel (templates/public/_call_panel.html) with data-socket set;
// `stream`, if given, is media already open for this call. Returns the call's state.
// The call's socket, opened the moment the office says "admitted", before the page turns
// into the call: the handshake runs while the page lays itself out (docs/benchmarks.md,
// "Call set-up"). What arrives before the call attaches waits, in order. `firstOpen`
// runs once, when the socket first opens or closes.
export function openCallSocket(path, firstOpen = () => {}) {
  const early = [];
  let handlers = null;
  let first = firstOpen;
  const pass =
    (kind) =>
    (...args) => {
      if (kind !== "onMessage") {
        first?.();
        first = null;
      }
      if (handlers) handlers[kind]?.(...args);
      else early.push([kind, args]);
    };
  const socket = connectSocket(path, { onMessage: pass("onMessage"), onOpen: pass("onOpen"), onClose: pass("onClose") });
  socket.attach = (given) => {
    handlers = given;
    for (const [kind, args] of early.splice(0)) given[kind]?.(...args);
  };
  return socket;
}

// `socket`: one opened by openCallSocket (else the call opens its own). `ice`: the ICE
// settings, when known before the call's `welcome` (the console's admission answer).
export function startCall(root, { stream: held = null, socket: opened = null, ice = null } = {}) {
  const msg = root.dataset;
  const isStaff = root.dataset.role === "staff";
  const statusLine = document.getElementById("call-status");
  const videos = document.getElementById("videos");
  const localVideo = document.getElementById("local-video");
  const chatLog = document.getElementById("chat-log");
  const buttons = {
    audio: document.getElementById("toggle-audio"),
    video: document.getElementById("toggle-video"),
    switchCamera: document.getElementById("switch-camera"),
    screen: document.getElementById("toggle-screen"),
    hangUp: document.getElementById("hang-up"),
  };

  // What the buttons say while the microphone or camera is on; "Unmute" / "Camera on" when off.
  const toggleLabels = {
    audio: { on: buttons.audio.textContent, off: msg.msgUnmute },
    video: { on: buttons.video.textContent, off: msg.msgCameraOn },
  };

  // connections: each peer's socket as of its latest peer-joined (outgoing.PeerGone).
  const state = { me: null, names: new Map(), connections: new Map(), stream: null, camera: null, screen: null, ended: false, switching: false };

  function say(text) {
    statusLine.textContent = text;
  }

  function tileFor(peer) {
    let tile = videos.querySelector(`[data-peer="${CSS.escape(peer.info.id)}"]`);
    if (!tile) {
      tile = document.createElement("figure");
      tile.className = "tile remote";
      tile.dataset.peer = peer.info.id;
      const video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      video.setAttribute("aria-label", peer.info.name);
      const caption = document.createElement("figcaption");
      const name = document.createElement("span");
      name.textContent = peer.info.name;
      name.dir = "auto";
      const media = document.createElement("span");
      media.className = "media-state";
      caption.append(name, " ", media);
      if (peer.info.sign_language) {
        // The sign-language interpreter: said in words, and kept large by the layout
        // (site.css .with-interpreter), never shrunk or covered by a shared screen.
        tile.classList.add("sign-interpreter");
        const role = document.createElement("span");
        role.className = "tile-role";
        role.textContent = `(${msg.msgSignLanguage})`;
        caption.append(" ", role);
      }
      tile.append(video, caption);
      videos.append(tile);
      arrange();
    }
    return tile;
  }

  function removeTile(id) {
    videos.querySelector(`[data-peer="${CSS.escape(id)}"]`)?.remove();
    arrange();
  }

  // The layout follows who is there and what they show: with a sign-language interpreter
  // in the call, their picture and the main picture (a shared screen first) share the
  // stage at equal size.
  function arrange() {
    videos.classList.toggle("with-interpreter", Boolean(videos.querySelector(".tile.sign-interpreter")));
  }

  // Documents go peer to peer over each connection's data channel (file-share.js).
  let files = null;
  const mesh = new Mesh({
    send: (message) => socket.send(message),
    onChannel: (peer) => files?.attach(peer),
    onRemoteTrack(peer) {
      const video = tileFor(peer).querySelector("video");
      if (video.srcObject !== peer.remote) video.srcObject = peer.remote;
    },
    onPeerState(peer, connectionState) {
      if (connectionState === "connected") {
        tileFor(peer);
        // Said in the status region: for a screen reader this is the moment of admission.
        say(format(msg.msgConnected, { name: peer.info.name }));
      }
    },
  });
  files = fileShare(root, { mesh, say, nameOf: (peer) => peer.info.name });
  // For the browser tests and for support: the live connections, nothing secret, and the
  // documents received in this call (already in this page, as its Open and Save links).
  window.bbCall = { mesh, state, files };

  function announceMedia() {
    const media = {
      audio: Boolean(state.camera?.audio?.enabled),
      video: Boolean(state.screen || state.camera?.video?.enabled),
      screen: Boolean(state.screen),
    };
    showMediaState(document.getElementById("local-media-state"), media, msg);
    localVideo.closest(".tile").classList.toggle("sharing", media.screen);
    socket.send({ type: "media-state", ...media });
  }

  // 24-hour like every other time in the office, in every language: the language's own
  // default is 12-hour in English and Arabic. Made at the first time shown, not when the
  // call starts: the first formatter of a page loads the language's data, some 30-70 ms
  // that would stand between the admission and the call (docs/benchmarks.md).
  let formatter = null;
  const clock = {
    format(date) {
      formatter ||= new Intl.DateTimeFormat(document.documentElement.lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
      return formatter.format(date);
    },
  };

  function appendChat(name, text, at) {
    const item = document.createElement("li");
    const who = document.createElement("strong");
    who.textContent = name;
    who.dir = "auto";
    const time = document.createElement("time");
    time.dateTime = at;
    time.textContent = clock.format(new Date(at));
    const body = document.createElement("span");
    body.className = "chat-text";
    body.textContent = text;
    // A German sentence on an Arabic page keeps its "!" at the end (and vice versa).
    body.dir = "auto";
    item.append(who, " ", time, " ", body);
    chatLog.append(item);
    chatLog.scrollTop = chatLog.scrollHeight;
  }

  // Staff only: who waits in their departments meanwhile.
  const waitingBox = document.getElementById("call-waiting");
  const waiting = isStaff && waitingBox ? watchWaiting(waitingBox) : null;
  // The office ended the call because the citizen never joined: the console says so
  // ("citizen-absent": gone; "unanswered": waiting again at the front of the queue).
  let notice = "";
  const NOTICES = { "citizen-absent": "nicht-erschienen", unanswered: "nicht-geantwortet" };

  // The call is over for this page: connections, camera, microphone and sockets closed.
  function stopCall() {
    state.ended = true;
    mesh.closeAll();
    files.close();
    state.stream?.getTracks().forEach((track) => track.stop());
    state.screen?.stop();
    socket.close();
    waiting?.close();
  }

  // The same participant opened the call elsewhere (another window, tab or device): it
  // goes on there. This page lets go of the camera and offers to bring the call back.
  function movedAway() {
    if (state.ended) return;
    stopCall();
    const moved = document.getElementById("call-moved");
    for (const child of root.children) child.hidden = child !== moved;
    moved.hidden = false;
    document.getElementById("call-here").addEventListener("click", () => window.location.reload());
    moved.querySelector("h2").focus();
  }

  function leavePage() {
    if (state.ended) return;
    stopCall();
    // Staff return to the queue: the console puts focus on it (console.js), not on <body>.
    if (isStaff) sessionStorage.setItem("bb-after-call", "1");
    // Over before we were in it (a page that slept through its call, woken in place): the
    // call's address asks the office where to go (for a citizen perhaps back to the
    // waiting room, to the front of the queue).
    if (!isStaff && !state.me) {
      window.location.reload();
      return;
    }
    window.location.assign(isStaff ? msg.consoleUrl + (notice ? `?hinweis=${notice}` : "") : msg.endedUrl);
  }

  const PROBLEM_MESSAGES = { denied: "msgBlocked", busy: "msgBusy", unsupported: "msgUnsupported" };

  async function startMedia() {
    // Media already open (the waiting room's or the console's, kept for this moment) is
    // used as it is: no second prompt, no second start of the camera.
    const live = held?.getTracks().some((track) => track.readyState === "live");
    const { stream, problem } = live ? { stream: held, problem: null } : await openLocalMedia();
    if (PROBLEM_MESSAGES[problem]) {
      // The call goes on (sound or chat may still work); say why and how to fix it.
      const box = document.getElementById("call-device-help");
      box.hidden = false;
      const details = showDeviceHelp(box.querySelector(".device-help"), problem);
      say([msg[PROBLEM_MESSAGES[problem]], details?.dataset.msgShown].filter(Boolean).join(" "));
    }
    state.stream = stream;
    state.camera = { audio: stream?.getAudioTracks()[0] || null, video: stream?.getVideoTracks()[0] || null };
    localVideo.srcObject = stream;
    buttons.audio.disabled = !state.camera.audio;
    buttons.video.disabled = !state.camera.video;
    mesh.setLocalTracks(state.camera.audio, state.camera.video);
  }

  const mediaReady = startMedia();
  mediaReady.then(updateCameraSwitch);
  if (ice) {
    // Certain to be in the room first (the console admits, then joins): the connection to
    // whoever comes is made now, while the socket opens (mesh.js).
    mediaReady.then(() => {
      mesh.configure(null, ice.servers, ice.policy);
      mesh.prepare();
    });
  }
  navigator.mediaDevices?.addEventListener?.("devicechange", updateCameraSwitch);
  // Phones and tablets have no screen to share (no getDisplayMedia): no button that cannot work.
  buttons.screen.hidden = !navigator.mediaDevices?.getDisplayMedia;

  // Signalling must be applied in order (offer before its candidates): one at a time.
  let inbox = mediaReady;

  const handlers = {
    onMessage(message) {
      inbox = inbox.then(() => handle(message)).catch((error) => console.error(error));
    },
    onClose(_event, final) {
      if (final) leavePage();
      else if (!state.ended) say(msg.msgConnectionLost);
    },
  };
  const socket = opened || connectSocket(root.dataset.socket, handlers);
  opened?.attach(handlers);

  async function handle(message) {
    switch (message.type) {
      case "welcome": {
        state.me = message.you;
        mesh.configure(message.you.id, message.ice_servers, message.ice_transport_policy);
        for (const peer of message.peers) state.names.set(peer.id, peer);
        // (Re)joined: the others hear our peer-joined and offer; old connections are stale.
        mesh.closePeers();
        // Alone in the room: the next one to come is offered the connection made ahead
        // (made now, or already while the socket opened); else the others offer to us.
        if (message.peers.length) mesh.dropSpare();
        else mesh.prepare();
        say(message.peers.length ? msg.msgConnecting : msg.msgWaitingPeer);
        announceMedia();
        break;
      }
      case "peer-joined":
        state.names.set(message.peer.id, message.peer);
        state.connections.set(message.peer.id, message.connection);
        mesh.create(message.peer, true);
        say(format(msg.msgJoined, { name: message.peer.name }));
        announceMedia();
        break;
      case "peer-gone": {
        // Their socket dropped; media may still flow, and they usually come back. A
        // reloaded page's new socket may have arrived first: the old one's going is news
        // of nothing.
        const latest = state.connections.get(message.id);
        if (latest && latest !== message.connection) break;
        const note = videos.querySelector(`[data-peer="${CSS.escape(message.id)}"] .media-state`);
        if (note) note.textContent = `(${msg.msgPeerGone})`;
        break;
      }
      case "peer-left": {
        const name = state.names.get(message.id)?.name || "";
        state.connections.delete(message.id);
        mesh.close(message.id);
        removeTile(message.id);
        say(format(msg.msgLeft, { name }));
        break;
      }
      case "signal":
        await mesh.handleSignal(message.from, message, (id) => state.names.get(id) || { id, name: "", role: "" });
        break;
      case "media-state": {
        const tile = videos.querySelector(`[data-peer="${CSS.escape(message.from)}"]`);
        showMediaState(tile?.querySelector(".media-state"), message, msg);
        tile?.classList.toggle("sharing", message.screen);
        break;
      }
      case "chat": {
        const mine = message.from === state.me?.id;
        appendChat(mine ? msg.msgYou : message.name, message.text, message.at);
        if (!mine) chime();
        break;
      }
      case "invitation": {
        const link = document.getElementById("invitation-link");
        link.value = new URL(message.path, window.location.href).href;
        link.hidden = false;
        document.getElementById("copy-invitation").hidden = false;
        const until = clock.format(new Date(message.expires_at));
        document.getElementById("invitation-text").textContent = format(msg.msgInvitation, { time: until });
        link.focus();
        link.select();
        break;
      }
      case "ended":
        // Taken back to the waiting room by staff: the citizen's page goes there.
        if (message.reason === "returned" && !isStaff && message.waiting_url) {
          stopCall();
          window.location.assign(message.waiting_url);
          break;
        }
        if (message.reason === "returned") {
          say(msg.msgReturned);
          leavePage();
          break;
        }
      // falls through
      case "left":
        notice = NOTICES[message.reason] || "";
        say(
          message.reason === "citizen-absent"
            ? msg.msgCitizenAbsent
            : message.reason === "unanswered"
              ? msg.msgUnanswered
              : msg.msgEnded,
        );
        leavePage();
        break;
      case "moved":
        movedAway();
        break;
      case "error":
        say(message.message);
        break;
      default:
        break;
    }
  }

  buttons.audio.addEventListener("click", () => {
    const track = state.camera?.audio;
    if (!track) return;
    track.enabled = !track.enabled;
    labelToggle(buttons.audio, track.enabled, toggleLabels.audio);
    announceMedia();
  });

  buttons.video.addEventListener("click", () => {
    const track = state.camera?.video;
    if (!track) return;
    track.enabled = !track.enabled;
    labelToggle(buttons.video, track.enabled, toggleLabels.video);
    announceMedia();
  });

  async function updateCameraSwitch() {
    buttons.switchCamera.hidden = !state.camera?.video || (await cameras()).length < 2;
  }

  async function openCamera(deviceId) {
    const constraints = { audio: false, video: { deviceId: { exact: deviceId } } };
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    return stream.getVideoTracks()[0];
  }

  // The new camera replaces the old one everywhere: in what the others receive (unless the
  // screen is shared: then it is the camera that comes back afterwards), in the own
  // picture, and under "Camera off", which stays as it was.
  async function useCamera(track) {
    const old = state.camera.video;
    if (track) track.enabled = old.enabled;
    state.camera.video = track;
    state.stream = new MediaStream([...state.stream.getAudioTracks(), ...(track ? [track] : [])]);
    if (!state.screen) {
      await mesh.replaceVideo(track);
      localVideo.srcObject = state.stream;
    }
    old.stop();
    if (!track) {
      buttons.video.disabled = true;
      announceMedia();
    }
  }

  async function switchCamera() {
    if (state.switching || !state.camera?.video) return;
    state.switching = true;
    try {
      const old = state.camera.video;
      const oldId = old.getSettings().deviceId;
      const next = nextCamera(await cameras(), old);
      if (!next) return;
      let track;
      try {
        track = await openCamera(next.deviceId);
      } catch {
        // Many phones cannot run both cameras at once: free the old one and try again,
        // else take the old one back.
        old.stop();
        track = await openCamera(next.deviceId).catch(() => openCamera(oldId).catch(() => null));
      }
      await useCamera(track);
      const switched = track && track.getSettings().deviceId !== oldId;
      if (switched) rememberCamera(track.getSettings().deviceId);
      say(switched ? format(msg.msgCamera, { name: track.label || next.label }) : msg.msgCameraFailed);
    } finally {
      state.switching = false;
      updateCameraSwitch();
    }
  }

  async function stopSharing() {
    state.screen?.stop();
    state.screen = null;
    await mesh.replaceVideo(state.camera?.video || null);
    localVideo.srcObject = state.stream;
    buttons.screen.setAttribute("aria-pressed", "false");
    announceMedia();
  }

  buttons.screen.addEventListener("click", async () => {
    if (state.screen) {
      await stopSharing();
      return;
    }
    try {
      const display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      const [track] = display.getVideoTracks();
      // Text on a form must stay legible: keep resolution, let the frame rate give.
      track.contentHint = "detail";
      track.addEventListener("ended", stopSharing);
      state.screen = track;
      await mesh.replaceVideo(track);
      localVideo.srcObject = display;
      buttons.screen.setAttribute("aria-pressed", "true");
      announceMedia();
    } catch {
      say(msg.msgScreenFailed);
    }
  });

  buttons.switchCamera.addEventListener("click", switchCamera);

  document.getElementById("back-to-queue")?.addEventListener("click", (event) => {
    // Asked first: the call ends for everyone in it.
    if (!window.confirm(msg.msgConfirmBack)) return;
    event.currentTarget.disabled = socket.send({ type: "back-to-queue" });
  });

  buttons.hangUp.addEventListener("click", () => {
    buttons.hangUp.disabled = true;
    if (!socket.send({ type: isStaff ? "end" : "leave" })) buttons.hangUp.disabled = false;
  });

  document.getElementById("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("chat-input");
    const text = input.value.trim();
    if (text && socket.send({ type: "chat", text })) input.value = "";
  });

  if (isStaff) {
    const box = document.getElementById("invitation-box");
    const invite = document.getElementById("invite");
    invite.addEventListener("click", () => {
      box.hidden = !box.hidden;
      invite.setAttribute("aria-expanded", String(!box.hidden));
      if (!box.hidden) document.getElementById("invitation-label").focus();
    });
    document.getElementById("create-invitation").addEventListener("click", () => {
      socket.send({
        type: "invite",
        label: document.getElementById("invitation-label").value,
        sign_language: document.getElementById("invitation-sign-language").checked,
      });
    });
    document.getElementById("copy-invitation").addEventListener("click", async () => {
      await navigator.clipboard?.writeText(document.getElementById("invitation-link").value);
      say(msg.msgCopied);
    });
  }
  return { mesh, state, socket };
}
