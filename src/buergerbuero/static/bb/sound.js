// A soft two-tone chime made with Web Audio, so no sound file is needed. Browsers
// allow audio only after a user gesture: call unlockSound() from a click first.
let context = null;

export function unlockSound() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  context = context || new Context();
  if (context.state === "suspended") context.resume();
}

export function chime() {
  if (!context) unlockSound();
  if (!context) return;
  const now = context.currentTime;
  [660, 880].forEach((frequency, index) => {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now + index * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.2, now + index * 0.25 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + index * 0.25 + 0.4);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(now + index * 0.25);
    oscillator.stop(now + index * 0.25 + 0.45);
  });
}
