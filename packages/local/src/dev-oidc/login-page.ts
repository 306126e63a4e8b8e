const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** The dev provider's sign-in form: plain HTML, no script, works for a browser and a scripted client. */
export function loginPage(options: { uid: string; email?: string; error?: string; hint: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rez dev sign-in</title></head>
<body>
<h1>Rez development sign-in</h1>
<p>This provider exists only for local development. ${escapeHtml(options.hint)}</p>
${options.error ? `<p role="alert"><strong>${escapeHtml(options.error)}</strong></p>` : ''}
<form method="post" action="/interaction/${escapeHtml(options.uid)}/login">
  <label>Email <input type="email" name="email" autocomplete="username" value="${escapeHtml(options.email ?? '')}" required></label>
  <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
<p><a href="/interaction/${escapeHtml(options.uid)}/abort">Cancel</a></p>
</body></html>`;
}
