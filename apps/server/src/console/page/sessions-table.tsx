import type { ConsoleSession } from '../console-types.js';
import { disconnectSession } from './api.js';
import { formatBytes, formatDuration, formatRate } from './format.js';

function Transfer({ session }: { session: ConsoleSession }) {
  const t = session.transfer;
  if (t === undefined) return <span class="muted">{session.activity ?? 'idle'}</span>;
  const percent = t.size !== undefined && t.size > 0 ? Math.min(100, (t.bytes / t.size) * 100) : undefined;
  return (
    <div class="transfer" data-testid="transfer">
      <div>
        <span class={`dir ${t.direction}`}>{t.direction}</span> <code>{t.path}</code>
      </div>
      {percent === undefined ? (
        <progress data-testid="progress" data-bytes={t.bytes} />
      ) : (
        <progress data-testid="progress" data-bytes={t.bytes} max={100} value={percent} />
      )}
      <div class="figures">
        <span data-testid="bytes">{formatBytes(t.bytes)}</span>
        {t.size !== undefined ? <span> of {formatBytes(t.size)}</span> : null} · <span>{formatRate(t.rate)}</span>
      </div>
    </div>
  );
}

export function SessionsTable({ sessions, now, onError }: { sessions: ConsoleSession[]; now: number; onError: (message: string) => void }) {
  return (
    <section>
      <h2>
        Sessions <span class="count" data-testid="session-count">{sessions.length}</span>
      </h2>
      <table class="sessions">
        <thead>
          <tr>
            <th>User</th>
            <th>Client</th>
            <th>Connected</th>
            <th>TLS</th>
            <th>Directory</th>
            <th>Now</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} data-testid="session" data-session-id={s.id} data-user={s.user ?? ''}>
              <td>{s.user ?? <span class="muted">(not logged in)</span>}</td>
              <td>
                {s.remoteAddress}
                {s.proxiedBy !== undefined ? <span class="muted"> via {s.proxiedBy}</span> : null}
              </td>
              <td title={new Date(s.connectedAt).toISOString()}>{formatDuration(now - s.connectedAt)} ago</td>
              <td>{s.secure ? 'yes' : 'no'}</td>
              <td>
                <code>{s.cwd}</code>
              </td>
              <td>
                <Transfer session={s} />
              </td>
              <td>
                <button
                  type="button"
                  class="danger"
                  data-testid="disconnect"
                  onClick={() => {
                    if (window.confirm(`Disconnect session ${s.id} (${s.user ?? 'not logged in'}, ${s.remoteAddress})?`)) {
                      disconnectSession(s.id).catch((e: Error) => onError(e.message));
                    }
                  }}
                >
                  Disconnect
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
