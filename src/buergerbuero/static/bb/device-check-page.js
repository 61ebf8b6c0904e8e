import { setupDeviceCheck } from "./device-check.js";

const root = document.getElementById("device-check");
if (root) setupDeviceCheck(root);
