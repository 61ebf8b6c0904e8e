// A JSON WebSocket that reconnects with back-off and keeps the server's
// heartbeat fresh. Close codes 4400-4499 mean "do not come back" (forbidden, gone).
export function connectSocket(path, { onMessage, onOpen, onClose, pingSeconds = 20 } = {}) {
  let ws = null;
  let stopped = false;
  let attempt = 0;
  let pingTimer = null;

  function open() {
    const url = new URL(path, window.location.href);
    url.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(url);
    ws.addEventListener("open", () => {
      attempt = 0;
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
      if (message.type !== "pong") onMessage?.(message);
    });
    ws.addEventListener("close", (event) => {
      clearInterval(pingTimer);
      const final = stopped || (event.code >= 4400 && event.code < 4500);
      onClose?.(event, final);
      if (!final) {
        const delay = Math.min(10000, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);
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
