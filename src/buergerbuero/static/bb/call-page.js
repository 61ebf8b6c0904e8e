// The call page: the call, started on page load (reload, invitation, a late arrival).
import { flag } from "./attention.js";
import { startCall } from "./call-session.js";

const root = document.getElementById("call");
// Admitted while the tab was in the background: the title and a banner say so.
if (root.dataset.role !== "staff" && document.hidden) flag(root.dataset.msgYourTurn, root.dataset.msgYourTurnBanner);
startCall(root);
