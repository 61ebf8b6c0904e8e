// The floor: the least a browser does to start a call. One RTCPeerConnection per other
// peer, default configuration (no ICE servers: loopback), trickled candidates, the remote
// stream on a <video> element as the office shows it. The newcomer offers to everyone
// already in the room; nothing else happens on this page, so whatever the office takes
// beyond this is its own work.

let stream = null;
let socket = null;
const peers = new Map();

function send(message) {
  socket.send(JSON.stringify(message));
}

function create(id) {
  const pc = new RTCPeerConnection();
  const peer = { pc, pending: [] };
  peers.set(id, peer);
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  pc.addEventListener("icecandidate", ({ candidate }) => {
    if (candidate) send({ to: id, candidate: candidate.toJSON() });
  });
  pc.addEventListener("track", ({ streams }) => {
    let video = document.querySelector(`video[data-peer="${id}"]`);
    if (!video) {
      video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      video.dataset.peer = id;
      document.getElementById("remote").append(video);
    }
    if (video.srcObject !== streams[0]) video.srcObject = streams[0];
  });
  return peer;
}

async function flush(peer) {
  for (const candidate of peer.pending.splice(0)) await peer.pc.addIceCandidate(candidate);
}

async function handle(message) {
  if (message.type === "welcome") {
    for (const id of message.peers) {
      const peer = create(id);
      const offer = await peer.pc.createOffer();
      await peer.pc.setLocalDescription(offer);
      send({ to: id, description: { type: offer.type, sdp: offer.sdp } });
    }
    return;
  }
  let peer = peers.get(message.from);
  if (message.description?.type === "offer") {
    peer = create(message.from);
    await peer.pc.setRemoteDescription(message.description);
    const answer = await peer.pc.createAnswer();
    await peer.pc.setLocalDescription(answer);
    send({ to: message.from, description: { type: answer.type, sdp: answer.sdp } });
    await flush(peer);
  } else if (message.description && peer) {
    await peer.pc.setRemoteDescription(message.description);
    await flush(peer);
  } else if (message.candidate && peer) {
    if (peer.pc.remoteDescription) await peer.pc.addIceCandidate(message.candidate);
    else peer.pending.push(message.candidate);
  }
}

async function media() {
  stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  document.getElementById("local").srcObject = stream;
}

// Resolves once the relay has said who is there (and the offers to them are on their way).
function join(room) {
  return new Promise((resolve, reject) => {
    socket = new WebSocket(`ws://${location.host}/ws/${encodeURIComponent(room)}`);
    // Messages are handled strictly one after another, as they arrived.
    let queue = Promise.resolve();
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      queue = queue
        .then(() => handle(message))
        .then(() => message.type === "welcome" && resolve())
        .catch((error) => { console.error(error); reject(error); });
    });
    socket.addEventListener("error", () => reject(new Error("relay socket failed")));
  });
}

window.floor = {
  media,
  join,
  // Cold: the camera and microphone first, then the room.
  start: async (room) => { await media(); await join(room); },
};
