// A WebRTC mesh: one RTCPeerConnection per other participant, signalled through the
// room socket. Each connection carries exactly one audio and one video transceiver
// from the start, so switching camera <-> screen, or front <-> back camera, is a
// replaceTrack() on the video sender and never needs renegotiation.
//
// Who offers: everyone already in the call offers to a participant who announces
// itself (peer-joined), because only connected participants hear that announcement and
// the newcomer is certainly listening. If two offers cross (both joined at once), the
// participant with the smaller id yields and answers ("polite peer").
//
// Each connection also carries one data channel for documents (file-share.js), agreed
// beforehand (negotiated, id 0): both sides open it themselves, so it needs no signalling of
// its own and is part of the first offer, whoever makes it.
//
// A participant alone in the room is certain to offer to whoever comes next: they make
// that connection ahead (`prepare`: tracks, data channel, offer, ICE candidates gathered)
// and hand it over when the newcomer announces themselves, so the offer leaves at once.
// The console, which admits and so is in the room first, makes it while the call's socket
// is still opening (docs/benchmarks.md, "Call set-up").

// Making a connection costs its page 20-30 ms of main thread (measured on the office's
// 2-core machines), at admission the busiest moment of both pages. So a page that expects
// a call (the waiting room, the console while someone waits) makes one while nothing
// happens (`warmUp`), without ICE settings, which it gets only with the call; the first
// connection of the call takes it and sets them (`setConfiguration`, checked, else a new
// connection as before). It holds no media and gathers nothing until it is used.
let warm = null;

function newConnection(config) {
  const pc = new RTCPeerConnection(config);
  return { pc, files: pc.createDataChannel("files", { negotiated: true, id: 0, ordered: true }) };
}

export function warmUp() {
  const make = () => {
    if (warm || typeof RTCPeerConnection === "undefined") return;
    try {
      warm = newConnection({});
    } catch {
      warm = null;
    }
  };
  if (window.requestIdleCallback) requestIdleCallback(make, { timeout: 2000 });
  else setTimeout(make, 200);
}

function connection(config) {
  const taken = warm;
  warm = null;
  if (taken && taken.pc.signalingState === "stable") {
    try {
      taken.pc.setConfiguration(config);
      const set = taken.pc.getConfiguration();
      const policy = config.iceTransportPolicy || "all";
      if ((set.iceServers || []).length === (config.iceServers || []).length && set.iceTransportPolicy === policy) return taken;
    } catch (error) {
      console.warn("the connection made ahead could not take the call's ICE settings:", error?.name);
    }
    taken.pc.close();
  }
  return newConnection(config);
}

// Signalling can be lost on its way (a socket closing just as it sends, a message the
// office could not pass on while Redis was away), and the browser would wait for it for
// good: both sides said "Connecting…" until someone hung up. The side that offered looks
// again after a while: an offer still unanswered is sent again as it now stands (with the
// candidates found since; an answer to either copy will do), and a connection answered
// but not connected restarts ICE. A few times, each wait twice the one before; once
// connected it is left to the browser ("failed" restarts ICE, below).
const PATIENCE_MS = 6000;
const RETRIES = 3;

// A candidate of a connection the other side has since replaced (a reload, an ICE
// restart) arrives late and no longer matches: it is of no use, and not an error of the
// call, as in the standard's "perfect negotiation" pattern.
async function addCandidate(peer, candidate) {
  try {
    await peer.pc.addIceCandidate(candidate);
  } catch (error) {
    if (peer.pc.signalingState === "closed") return;
    console.warn("ignored an ICE candidate of a replaced connection:", error?.name);
  }
}

export class Mesh {
  constructor({ send, onRemoteTrack, onPeerState, onChannel = () => {} }) {
    this.send = send;
    this.onChannel = onChannel;
    this.onRemoteTrack = onRemoteTrack;
    this.onPeerState = onPeerState;
    this.config = {};
    this.peers = new Map();
    this.audioTrack = null;
    this.videoTrack = null;
  }

  configure(myId, iceServers, iceTransportPolicy) {
    this.myId = myId;
    this.config = { iceServers, iceTransportPolicy };
  }

  setLocalTracks(audioTrack, videoTrack) {
    this.audioTrack = audioTrack;
    this.videoTrack = videoTrack;
    this.spare?.audio.sender.replaceTrack(audioTrack);
    this.spare?.video.sender.replaceTrack(videoTrack);
  }

  // Send `track` instead of the current video (camera or screen) to every peer.
  async replaceVideo(track) {
    this.videoTrack = track;
    await Promise.all(
      [...this.peers.values(), ...(this.spare ? [this.spare] : [])].map((peer) => peer.video?.sender.replaceTrack(track)),
    );
  }

  // The connection to the next participant, made before they come (see the top).
  prepare() {
    if (this.spare) return;
    const { pc, files } = connection(this.config);
    const spare = {
      pc,
      to: null,
      candidates: [],
      files,
      audio: pc.addTransceiver(this.audioTrack || "audio", { direction: "sendrecv" }),
      video: pc.addTransceiver(this.videoTrack || "video", { direction: "sendrecv" }),
    };
    // Until it has a recipient, what ICE finds is kept; it follows the offer.
    pc.addEventListener("icecandidate", ({ candidate }) => {
      if (!candidate) return;
      if (spare.to) this.send({ type: "signal", to: spare.to, candidate: candidate.toJSON() });
      else spare.candidates.push(candidate.toJSON());
    });
    spare.offer = pc.createOffer().then(async (offer) => {
      await pc.setLocalDescription(offer);
      return offer;
    });
    spare.offer.catch(() => {}); // handled where it is used (offerSpare)
    this.spare = spare;
  }

  dropSpare() {
    this.spare?.pc.close();
    this.spare = null;
  }

  async offerSpare(peer, spare) {
    let offer;
    try {
      offer = await spare.offer;
    } catch (error) {
      // Not made after all: a fresh connection, as without one made ahead.
      console.warn("the connection made ahead failed:", error?.name);
      if (this.peers.get(peer.info.id) === peer) this.create(peer.info, true);
      return;
    }
    if (this.peers.get(peer.info.id) !== peer) return; // replaced meanwhile
    this.send({ type: "signal", to: peer.info.id, description: { type: offer.type, sdp: offer.sdp } });
    spare.to = peer.info.id;
    for (const candidate of spare.candidates.splice(0)) this.send({ type: "signal", to: spare.to, candidate });
    this.watch(peer);
  }

  // The offering side's second look (PATIENCE_MS, at the top).
  watch(peer, attempt = 0) {
    clearTimeout(peer.watch);
    if (attempt >= RETRIES) return;
    peer.watch = setTimeout(() => {
      const { pc } = peer;
      if (this.peers.get(peer.info.id) !== peer || pc.connectionState === "connected") return;
      if (pc.signalingState === "have-local-offer") {
        const { type, sdp } = pc.localDescription;
        this.send({ type: "signal", to: peer.info.id, description: { type, sdp } });
      } else if (pc.signalingState === "stable") {
        this.offer(peer, true).catch((error) => console.warn("could not restart ICE:", error?.name));
      } else {
        return;
      }
      this.watch(peer, attempt + 1);
    }, PATIENCE_MS * 2 ** attempt);
  }

  create(info, initiator) {
    this.close(info.id);
    // The connection made ahead, if there is one (its offer may still be on its way).
    let spare = null;
    if (initiator && this.spare) {
      if (this.spare.pc.signalingState === "closed") this.dropSpare();
      else [spare, this.spare] = [this.spare, null];
    }
    const { pc, files } = spare || connection(this.config);
    const peer = { info, pc, pending: [], remote: new MediaStream(), audio: spare?.audio || null, video: spare?.video || null, initiator };
    this.peers.set(info.id, peer);
    peer.files = files;
    this.onChannel(peer);
    if (!spare) {
      pc.addEventListener("icecandidate", ({ candidate }) => {
        if (candidate) this.send({ type: "signal", to: info.id, candidate: candidate.toJSON() });
      });
    }
    pc.addEventListener("track", ({ track }) => {
      peer.remote.addTrack(track);
      this.onRemoteTrack(peer);
    });
    pc.addEventListener("connectionstatechange", () => {
      this.onPeerState(peer, pc.connectionState);
      // The side that offered restarts ICE after a network change broke the path.
      if (pc.connectionState === "failed" && peer.initiator) this.offer(peer, true);
    });
    if (spare) {
      this.offerSpare(peer, spare);
    } else if (initiator) {
      peer.audio = pc.addTransceiver(this.audioTrack || "audio", { direction: "sendrecv" });
      peer.video = pc.addTransceiver(this.videoTrack || "video", { direction: "sendrecv" });
      this.offer(peer, false).then(() => this.watch(peer));
    }
    return peer;
  }

  async offer(peer, iceRestart) {
    const offer = await peer.pc.createOffer({ iceRestart });
    await peer.pc.setLocalDescription(offer);
    this.send({ type: "signal", to: peer.info.id, description: { type: offer.type, sdp: offer.sdp } });
  }

  async handleSignal(from, message, infoFor) {
    let peer = this.peers.get(from);
    if (message.description) {
      const { description } = message;
      if (description.type === "offer") {
        const glare = peer?.initiator && peer.pc.signalingState === "have-local-offer";
        if (glare && this.myId > from) return; // we are impolite: our offer stands
        // A fresh offer, or an ICE-restart offer to a connection we answered before.
        if (!peer || peer.initiator) peer = this.create(infoFor(from), false);
        await peer.pc.setRemoteDescription(description);
        this.attachLocal(peer);
        const answer = await peer.pc.createAnswer();
        await peer.pc.setLocalDescription(answer);
        this.send({ type: "signal", to: from, description: { type: answer.type, sdp: answer.sdp } });
      } else if (peer?.pc.signalingState === "have-local-offer") {
        await peer.pc.setRemoteDescription(description);
      }
      // (An answer to an offer already answered, which was sent again: nothing to do.)
      if (peer) {
        for (const candidate of peer.pending.splice(0)) await addCandidate(peer, candidate);
      }
    } else if (message.candidate && peer) {
      if (peer.pc.remoteDescription) await addCandidate(peer, message.candidate);
      else peer.pending.push(message.candidate);
    }
  }

  // The answering side: the offer created the transceivers; fill in our tracks.
  attachLocal(peer) {
    for (const transceiver of peer.pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind;
      if (kind === "audio" && !peer.audio) peer.audio = transceiver;
      if (kind === "video" && !peer.video) peer.video = transceiver;
    }
    for (const [transceiver, track] of [[peer.audio, this.audioTrack], [peer.video, this.videoTrack]]) {
      if (!transceiver) continue;
      transceiver.direction = "sendrecv";
      transceiver.sender.replaceTrack(track);
    }
  }

  close(id) {
    const peer = this.peers.get(id);
    if (!peer) return;
    clearTimeout(peer.watch);
    peer.pc.close();
    this.peers.delete(id);
  }

  closePeers() {
    for (const id of [...this.peers.keys()]) this.close(id);
  }

  closeAll() {
    this.closePeers();
    this.dropSpare();
  }
}
