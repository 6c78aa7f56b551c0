/** The page's two actions; each carries the CSRF token the server put in the page. */

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

async function post(path: string): Promise<void> {
  const res = await fetch(path, { method: 'POST', headers: { 'x-csrf-token': csrfToken() }, credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
}

export function disconnectSession(id: number): Promise<void> {
  return post(`/api/sessions/${id}/disconnect`);
}

export function unbanAddress(address: string): Promise<void> {
  return post(`/api/bans/${encodeURIComponent(address)}/unban`);
}
