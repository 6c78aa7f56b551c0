import type { ConsoleBan } from '../console-types.js';
import { unbanAddress } from './api.js';
import { formatDuration } from './format.js';

export function BansTable({ bans, now, onError }: { bans: ConsoleBan[]; now: number; onError: (message: string) => void }) {
  return (
    <section>
      <h2>Bans</h2>
      {bans.length === 0 ? (
        <p class="muted" data-testid="no-bans">
          No address is banned.
        </p>
      ) : (
        <table class="bans">
          <thead>
            <tr>
              <th>Address</th>
              <th>Ends in</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {bans.map((b) => (
              <tr key={b.address} data-testid="ban" data-address={b.address}>
                <td>{b.address}</td>
                <td>{formatDuration(Math.max(0, b.until - now))}</td>
                <td>
                  <button type="button" data-testid="unban" onClick={() => unbanAddress(b.address).catch((e: Error) => onError(e.message))}>
                    Unban
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
