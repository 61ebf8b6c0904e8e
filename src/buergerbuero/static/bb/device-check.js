// Camera and microphone check before a call: preview, level meter, device choice,
// and a clear message when permission is denied or a device is missing.
// The choice is kept in sessionStorage for the call page of this tab.

const KEY_CAMERA = "bb-camera";
const KEY_MIC = "bb-mic";

// The call page's camera switch: a reload keeps the camera the person switched to.
export function rememberCamera(deviceId) {
  if (deviceId) sessionStorage.setItem(KEY_CAMERA, deviceId);
}

export function preferredConstraints() {
  const camera = sessionStorage.getItem(KEY_CAMERA);
  const mic = sessionStorage.getItem(KEY_MIC);
  return {
    video: camera ? { deviceId: { exact: camera } } : true,
    audio: mic ? { deviceId: { exact: mic } } : true,
  };
}

// Errors of a device that exists but cannot be started, usually because another program
// holds it (Chrome, Safari: NotReadableError; Firefox: AbortError; old Chrome: TrackStartError).
const BUSY_ERRORS = new Set(["NotReadableError", "AbortError", "TrackStartError"]);

// Ask for camera and microphone, falling back to what exists. Returns
// { stream, problem } where problem is null, "denied", "busy", "nocamera", "nomic",
// "nodevices" or "unsupported". "busy" may come with a stream of the device that did start.
export async function openLocalMedia(constraints = preferredConstraints()) {
  if (!navigator.mediaDevices?.getUserMedia) return { stream: null, problem: "unsupported" };
  const attempts = [
    [constraints, null],
    [{ audio: constraints.audio, video: false }, "nocamera"],
    [{ audio: false, video: constraints.video }, "nomic"],
  ];
  let denied = false;
  let busy = false;
  for (const [request, problem] of attempts) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(request);
      // The missing device is there but taken: say so rather than "no camera found".
      return { stream, problem: busy && problem ? "busy" : problem };
    } catch (error) {
      if (error.name === "NotAllowedError" || error.name === "SecurityError") denied = true;
      if (BUSY_ERRORS.has(error.name)) busy = true;
      if (error.name === "OverconstrainedError") {
        // A remembered device is gone: forget it and try the defaults.
        sessionStorage.removeItem(KEY_CAMERA);
        sessionStorage.removeItem(KEY_MIC);
        return openLocalMedia({ video: true, audio: true });
      }
    }
  }
  return { stream: null, problem: denied ? "denied" : busy ? "busy" : "nodevices" };
}

// Which steps of public/_device_help.html fit this browser (its data-browser), or null.
// iOS first: every browser there is Safari underneath and takes its permission from the
// Settings app; then the brands whose user agents also say "Chrome" or "Safari".
export function browserKey(nav = navigator) {
  const agent = nav.userAgent || "";
  const data = nav.userAgentData;
  const brands = (data?.brands || []).map((entry) => entry.brand);
  const iPadAsMac = /Macintosh/.test(agent) && nav.maxTouchPoints > 1;
  if (/iPhone|iPad|iPod/.test(agent) || iPadAsMac) return "ios";
  if (/SamsungBrowser\//.test(agent) || brands.includes("Samsung Internet")) return "samsung";
  if (/Android/.test(agent) || data?.platform === "Android") return "android";
  if (/Firefox\//.test(agent)) return "firefox";
  if (/(Chrome|Chromium|Edg)\//.test(agent)) return "chrome";
  if (/Macintosh/.test(agent) && /Safari\//.test(agent)) return "safari-mac";
  // Client hints last: a user agent string that names its browser is more specific.
  if (brands.some((b) => /Chrom|Edge/.test(b))) return "chrome";
  return null;
}

// The help's steps for a problem: "denied" opens the current browser's, "busy" and
// "unsupported" their own. Returns the opened <details>, or null (unknown browser, or a
// problem the help does not cover). moveFocus puts keyboard and screen-reader focus on
// the opened steps, or on the help's heading when no steps fit. Exported for the call page.
export function showDeviceHelp(help, problem, { moveFocus = false, nav = navigator } = {}) {
  if (!help) return null;
  const key = { denied: browserKey(nav), busy: "busy", unsupported: "unsupported" }[problem];
  if (key === undefined) return null;
  const details = key ? help.querySelector(`details[data-browser="${key}"]`) : null;
  if (details) details.open = true;
  if (moveFocus) {
    const summary = details?.querySelector("summary");
    summary?.focus();
    // A browser that does not focus <summary> gets the heading (tabindex="-1") instead.
    if (!summary || document.activeElement !== summary) {
      help.querySelector("#device-help-heading")?.focus();
    }
  }
  return details;
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
  const help = root.querySelector("#device-help");
  let stream = null;
  let stopMeter = () => {};
  // The help is for a camera or microphone that does not work: with JavaScript it is
  // shown only then, so that a working camera does not put its eight cases between the
  // heading and the name field. Without JavaScript it stays, all closed.
  if (help) help.hidden = true;

  // userAsked: the check was started by "Test again" or a device choice. The first check
  // runs on load: then focus moves to the help only if the person has not put it anywhere
  // yet (never out of the name field they are typing in).
  async function run(userAsked = false) {
    stopMeter();
    stream?.getTracks().forEach((track) => track.stop());
    const result = await openLocalMedia();
    stream = result.stream;
    preview.srcObject = stream;
    const hasVideo = Boolean(stream?.getVideoTracks().length);
    preview.hidden = !hasVideo;
    const focusIsFree = !document.activeElement || document.activeElement === document.body;
    if (help) help.hidden = !result.problem;
    const steps = showDeviceHelp(help, result.problem, { moveFocus: userAsked || focusIsFree });
    let text = {
      null: messages.msgOk,
      nocamera: messages.msgNocamera,
      nomic: messages.msgNomic,
      denied: steps ? messages.msgBlocked : messages.msgDenied,
      busy: messages.msgBusy,
      nodevices: messages.msgNodevices,
      unsupported: messages.msgUnsupported,
    }[result.problem];
    // Say which steps are open below (or that the general ones are, for an unknown browser).
    if (steps) text += ` ${steps.dataset.msgShown}`;
    else if (help && result.problem === "denied") text += ` ${help.dataset.msgGeneral}`;
    status.textContent = text;
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
    run(true);
  });
  micSelect.addEventListener("change", () => {
    sessionStorage.setItem(KEY_MIC, micSelect.value);
    run(true);
  });
  root.querySelector("#device-retry").addEventListener("click", () => run(true));
  // Release the devices when leaving the page, so the call page can open them.
  window.addEventListener("pagehide", () => {
    stopMeter();
    stream?.getTracks().forEach((track) => track.stop());
  });
  run();
}
