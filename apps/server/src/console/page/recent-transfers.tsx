import { useState } from 'preact/hooks';
import type { FinishedTransfer } from '../console-types.js';
import { formatBytes, formatRate, formatTime } from './format.js';

type ResultFilter = 'all' | FinishedTransfer['result'];

export function RecentTransfers({ recent }: { recent: FinishedTransfer[] }) {
  const [user, setUser] = useState('');
  const [result, setResult] = useState<ResultFilter>('all');
  const users = [...new Set(recent.map((t) => t.user))].sort();
  const shown = recent.filter((t) => (user === '' || t.user === user) && (result === 'all' || t.result === result)).reverse();
  return (
    <section>
      <h2>Recent transfers</h2>
      <div class="filters">
        <label>
          User{' '}
          <select data-testid="filter-user" value={user} onChange={(e) => setUser((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            {users.map((u) => (
              <option key={u} value={u}>
                {u === '' ? '(none)' : u}
              </option>
            ))}
          </select>
        </label>
        <label>
          Result{' '}
          <select data-testid="filter-result" value={result} onChange={(e) => setResult((e.target as HTMLSelectElement).value as ResultFilter)}>
            <option value="all">all</option>
            <option value="ok">ok</option>
            <option value="failed">failed</option>
            <option value="aborted">aborted</option>
          </select>
        </label>
      </div>
      <table class="recent">
        <thead>
          <tr>
            <th>Time</th>
            <th>User</th>
            <th>Direction</th>
            <th>Path</th>
            <th>Bytes</th>
            <th>Duration</th>
            <th>Rate</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((t, i) => (
            <tr key={`${t.at}-${i}`} data-testid="recent" data-path={t.path} data-result={t.result}>
              <td>{formatTime(t.at)}</td>
              <td>{t.user}</td>
              <td>{t.direction}</td>
              <td>
                <code>{t.path}</code>
              </td>
              <td>{formatBytes(t.bytes)}</td>
              <td>{(t.durationMs / 1000).toFixed(1)}s</td>
              <td>{formatRate(t.durationMs > 0 ? (t.bytes * 1000) / t.durationMs : t.bytes)}</td>
              <td class={`result ${t.result}`}>{t.result}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
