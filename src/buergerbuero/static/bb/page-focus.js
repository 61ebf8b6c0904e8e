// Where focus goes when a page opens after something the person did not do on it: a
// form that came back with errors (the error summary), a call that began or ended (the
// page's heading, data-focus-on-load). Without this focus sits on <body> and a screen
// reader says nothing about what happened.
const summary = document.getElementById("error-summary");
const target = document.querySelector("[data-focus-on-load]");
// The summary wins over a field's autofocus (the login's user name): what went wrong
// comes first. A heading never takes focus out of something already focused.
if (summary) summary.focus();
else if (target && (!document.activeElement || document.activeElement === document.body)) {
  target.focus();
}

// A link in the summary leads into its field, not only to it: a fragment link scrolls
// but leaves focus behind on the link.
summary?.addEventListener("click", (event) => {
  const link = event.target.closest("a[href^='#']");
  const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!field) return;
  event.preventDefault();
  field.focus();
});
