// A piece of a page from the server, rendered there in the page's language: the
// alternatives while an office is closed (public/_alternatives.html), the console's open
// callback requests (console/_callbacks.html). Its nodes, or null when it could not be
// loaded or there is nothing to show (any answer but 200: the alternatives' 204 when the
// office is open again meanwhile).
export async function fetchFragment(url) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin" });
  } catch {
    return null;
  }
  if (response.status !== 200) return null;
  const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
  return [...parsed.body.childNodes];
}
