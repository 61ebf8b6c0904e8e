// Administration forms: focus the error summary after a failed submit, and (with
// JavaScript) an "add range" button per weekday of the schedule. Without JavaScript the
// page always shows a spare empty row per day.

const summary = document.getElementById("error-summary");
if (summary) summary.focus();

for (const day of document.querySelectorAll(".schedule-day")) {
  const button = day.querySelector(".add-range");
  const ranges = day.querySelector(".ranges");
  if (!button || !ranges) continue;
  button.hidden = false;
  button.addEventListener("click", () => {
    const rows = ranges.querySelectorAll(".range-row");
    const template = rows[rows.length - 1];
    const row = template.cloneNode(true);
    const index = rows.length;
    const weekday = day.dataset.weekday;
    for (const [part, label] of [["opens", button.dataset.labelFrom], ["closes", button.dataset.labelUntil]]) {
      const id = `d${weekday}-${index}-${part}`;
      const input = row.querySelector(`input[name$="-${part}"]`);
      const caption = row.querySelector(`label[for$="-${part}"]`);
      input.id = id;
      input.name = id;
      input.value = "";
      input.removeAttribute("aria-invalid");
      caption.htmlFor = id;
      caption.textContent = label.replace("%(n)s", String(index + 1));
    }
    ranges.append(row);
    row.querySelector("input").focus();
  });
}
