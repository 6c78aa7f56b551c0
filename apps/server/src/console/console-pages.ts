function escapeAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

const HEAD = `<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="same-origin"><link rel="stylesheet" href="/assets/console.css">`;

/** The token form (plain HTML: it works before any script is loaded). */
export function loginPage(wrong: boolean): string {
  return `<!doctype html><html lang="en"><head>${HEAD}<title>ftpkit console: log in</title></head><body class="login">
<form method="post" action="/login" class="login-form">
<h1>ftpkit console</h1>
<label for="token">Console token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
${wrong ? '<p class="error" role="alert">Wrong token.</p>' : ''}
<button type="submit">Log in</button>
<p class="hint">The token is in the file given by <code>--console-token-file</code>, or printed by ftpkit-server at start.</p>
</form></body></html>`;
}

/** The console page; the script reads the CSRF token from its meta tag. */
export function appPage(csrf: string): string {
  return `<!doctype html><html lang="en"><head>${HEAD}<meta name="csrf-token" content="${escapeAttr(csrf)}"><title>ftpkit console</title></head><body>
<div id="app"></div><script type="module" src="/assets/console.js"></script></body></html>`;
}
