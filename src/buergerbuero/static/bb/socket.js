// A JSON WebSocket that reconnects with back-off and keeps the server's
// heartbeat fresh. Close codes 4400-4499 mean "do not come back" (forbidden, gone).
// A server process that stops (an upgrade) sends {"type": "reconnect"} and closes with
// 1012 ("service restart"): the page comes back after a random pause of up to
// RESTART_SPREAD_MS, so that the sockets of a whole process do not all return at once.
// While the restarted process is not yet listening, the page keeps trying at most every
// RESTART_RETRY_MS (jittered) for RESTART_PATIENCE_MS: with the plain back-off, a process
// that took 10 s to come back made pages wait another 8-20 s after it was ready
// (bench/reconnect_storm.py, docs/benchmarks.md "Reconnect storm"). A refused attempt
// costs the server nothing; an attempt that opens ends the restart.

// Back-off between attempts: 0.5 s doubling to 30 s, each spread by ±25 % so that a crowd
// cut off at once does not come back at once. It starts again from 0.5 s only after a
// connection stayed open for 10 s: a server that accepts and closes at once (1013, "try
// again later", while Redis is down) must see the browser back off, not hammer it.
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
const JITTER = 0.25;
const STABLE_MS = 10000;
const SERVICE_RESTART = 1012;
const RESTART_SPREAD_MS = 3000;
const RESTART_RETRY_MS = 4000;
const RESTART_PATIENCE_MS = 60000;

export function reconnectDelay(attempt) {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
  return base * (1 - JITTER + 2 * JITTER * Math.random());
}

// After a restart: anywhere between 0.25 s and RESTART_SPREAD_MS, uniformly.
export function restartDelay() {
  return 250 + Math.random() * (RESTART_SPREAD_MS - 250);
}

// A failed attempt while the restarted server comes back: the back-off, but no longer
// than RESTART_RETRY_MS ±25 % (each page its own draw, so they stay spread).
export function restartRetryDelay(attempt) {
  const ceiling = RESTART_RETRY_MS * (1 - JITTER + 2 * JITTER * Math.random());
  return Math.min(reconnectDelay(attempt), ceiling);
}

export function connectSocket(path, { onMessage, onOpen, onClose, pingSeconds = 20 } = {}) {
  let ws = null;
  let stopped = false;
  let attempt = 0;
  let pingTimer = null;
  let stableTimer = null;
  // When the server last said it restarts (1012), until a connection opens again.
  let restartedAt = null;

  function open() {
    const url = new URL(path, window.location.href);
    url.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(url);
    ws.addEventListener("open", () => {
      restartedAt = null;
      stableTimer = setTimeout(() => {
        attempt = 0;
      }, STABLE_MS);
      pingTimer = setInterval(() => send({ type: "ping" }), pingSeconds * 1000);
      onOpen?.();
    });
    ws.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      // The server asks whether we are still here (the console, CONSOLE_PING_SECONDS):
      // answered at once, from this event, which a background tab runs without delay
      // while its timers may wait a minute.
      if (message.type === "ping") {
        send({ type: "ping" });
        return;
      }
      // "reconnect" is for this module: the close that follows says the rest.
      if (message.type !== "pong" && message.type !== "reconnect") onMessage?.(message);
    });
    ws.addEventListener("close", (event) => {
      clearInterval(pingTimer);
      clearTimeout(stableTimer);
      const final = stopped || (event.code >= 4400 && event.code < 4500);
      onClose?.(event, final);
      if (!final) {
        // After a restart spread wide at once; the back-off still grows if the next
        // attempts fail too (every process restarting), up to RESTART_RETRY_MS for as
        // long as the restart may take, then as after any other failure.
        let delay;
        if (event.code === SERVICE_RESTART) {
          restartedAt = Date.now();
          delay = Math.max(restartDelay(), reconnectDelay(attempt));
        } else if (restartedAt !== null && Date.now() - restartedAt < RESTART_PATIENCE_MS) {
          delay = restartRetryDelay(attempt);
        } else {
          delay = reconnectDelay(attempt);
        }
        attempt += 1;
        setTimeout(open, delay);
      }
    });
  }

  function send(message) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  open();
  return {
    send,
    close() {
      stopped = true;
      ws?.close();
    },
  };
}

// "%(name)s" placeholders, as Django's translations carry them.
export function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}
