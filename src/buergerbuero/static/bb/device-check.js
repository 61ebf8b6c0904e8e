// Camera and microphone check before a call: preview, level meter, device choice,
// and a clear message when permission is denied or a device is missing.
// The choice is kept in sessionStorage for the call page of this tab.

const KEY_CAMERA = "bb-camera";
const KEY_MIC = "bb-mic";

export function preferredConstraints() {
  const camera = sessionStorage.getItem(KEY_CAMERA);
  const mic = sessionStorage.getItem(KEY_MIC);
  return {
    video: camera ? { deviceId: { exact: camera } } : true,
    audio: mic ? { deviceId: { exact: mic } } : true,
  };
}

// Ask for camera and microphone, falling back to what exists. Returns
// { stream, problem } where problem is null, "denied", "nocamera", "nomic",
// "nodevices" or "unsupported".
export async function openLocalMedia(constraints = preferredConstraints()) {
  if (!navigator.mediaDevices?.getUserMedia) return { stream: null, problem: "unsupported" };
  const attempts = [
    [constraints, null],
    [{ audio: constraints.audio, video: false }, "nocamera"],
    [{ audio: false, video: constraints.video }, "nomic"],
  ];
  let denied = false;
  for (const [request, problem] of attempts) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(request);
      return { stream, problem };
    } catch (error) {
      if (error.name === "NotAllowedError" || error.name === "SecurityError") denied = true;
      if (error.name === "OverconstrainedError") {
        // A remembered device is gone: forget it and try the defaults.
        sessionStorage.removeItem(KEY_CAMERA);
        sessionStorage.removeItem(KEY_MIC);
        return openLocalMedia({ video: true, audio: true });
      }
    }
  }
  return { stream: null, problem: denied ? "denied" : "nodevices" };
}

function fillSelect(select, devices, kind, current) {
  select.replaceChildren();
  devices
    .filter((device) => device.kind === kind)
    .forEach((device, index) => {
      const option = new Option(device.label || `${kind} ${index + 1}`, device.deviceId);
      option.selected = device.deviceId === current;
      select.append(option);
    });
  select.disabled = select.options.length === 0;
}

function meter(stream, element) {
  const track = stream?.getAudioTracks()[0];
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!track || !Context) return () => {};
  const context = new Context();
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const samples = new Uint8Array(analyser.fftSize);
  let running = true;
  (function draw() {
    if (!running) return;
    analyser.getByteTimeDomainData(samples);
    let peak = 0;
    for (const sample of samples) peak = Math.max(peak, Math.abs(sample - 128) / 128);
    element.value = peak;
    requestAnimationFrame(draw);
  })();
  return () => {
    running = false;
    context.close();
  };
}

export function setupDeviceCheck(root) {
  const messages = root.dataset;
  const preview = root.querySelector("#preview");
  const status = root.querySelector("#device-message");
  const cameraSelect = root.querySelector("#camera-select");
  const micSelect = root.querySelector("#mic-select");
  let stream = null;
  let stopMeter = () => {};

  async function run() {
    stopMeter();
    stream?.getTracks().forEach((track) => track.stop());
    const result = await openLocalMedia();
    stream = result.stream;
    preview.srcObject = stream;
    const hasVideo = Boolean(stream?.getVideoTracks().length);
    preview.hidden = !hasVideo;
    status.textContent = {
      null: messages.msgOk,
      nocamera: messages.msgNocamera,
      nomic: messages.msgNomic,
      denied: messages.msgDenied,
      nodevices: messages.msgNodevices,
      unsupported: messages.msgUnsupported,
    }[result.problem];
    status.className = result.problem && result.problem !== "nocamera" ? "notice error" : "notice";
    stopMeter = meter(stream, root.querySelector("#mic-meter"));
    if (navigator.mediaDevices?.enumerateDevices) {
      const devices = await navigator.mediaDevices.enumerateDevices();
      const camera = stream?.getVideoTracks()[0]?.getSettings().deviceId;
      const mic = stream?.getAudioTracks()[0]?.getSettings().deviceId;
      fillSelect(cameraSelect, devices, "videoinput", camera);
      fillSelect(micSelect, devices, "audioinput", mic);
    }
  }

  cameraSelect.addEventListener("change", () => {
    sessionStorage.setItem(KEY_CAMERA, cameraSelect.value);
    run();
  });
  micSelect.addEventListener("change", () => {
    sessionStorage.setItem(KEY_MIC, micSelect.value);
    run();
  });
  root.querySelector("#device-retry").addEventListener("click", run);
  // Release the devices when leaving the page, so the call page can open them.
  window.addEventListener("pagehide", () => {
    stopMeter();
    stream?.getTracks().forEach((track) => track.stop());
  });
  run();
}
