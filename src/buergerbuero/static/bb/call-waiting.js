// On a staff member's call page: how many citizens wait in their departments, live, from
// a console socket of its own; a new knock chimes, flashes the count and may notify, with
// the console's own alert (knock-alerts.js). That socket also counts as the member's open
// console, so going from the console into a call does not set them offline.
import { DeskState } from "./desk-state.js";
import { alertKnock, knockSentence, offerNotifications } from "./knock-alerts.js";
import { connectSocket, format } from "./socket.js";

export function watchWaiting(element) {
  const msg = element.dataset;
  const desk = new DeskState();
  const text = element.querySelector(".call-waiting-count");
  const socket = connectSocket(msg.socket, {
    onMessage(message) {
      if (!["queues", "queue-update", "queue-delta"].includes(message.type)) return;
      const { added } = desk.apply(message);
      element.hidden = false;
      text.textContent = format(msg.msgCount, { count: desk.entries.size });
      if (added.length) {
        const entry = added[0];
        const sentence = knockSentence(msg, entry, desk.departmentOf(entry));
        element.querySelector(".call-waiting-news").textContent = sentence;
        alertKnock(sentence, element);
      }
    },
  });
  offerNotifications(element.querySelector("button"));
  return socket;
}
