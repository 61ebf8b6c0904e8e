// Administration forms: focus the error summary after a failed submit, and (with
// JavaScript) an "add range" button per weekday of the schedule, and the directory fields
// of "Add staff member" only for a county account. Without JavaScript the
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

// Add staff member: the directory's fields only while "County account" is chosen.
// Without JavaScript all are shown, each with its help text.
const accountChoices = document.querySelectorAll('input[name="account_type"]');
if (accountChoices.length) {
  const directoryFields = ["id_directory_source", "id_directory_account"]
    .map((id) => document.getElementById(id)?.closest(".field"))
    .filter(Boolean);
  const showChosen = () => {
    const chosen = document.querySelector('input[name="account_type"]:checked');
    const directory = chosen !== null && chosen.value === "directory";
    for (const field of directoryFields) field.hidden = !directory;
  };
  for (const choice of accountChoices) choice.addEventListener("change", showChosen);
  showChosen();
}
