import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ConsoleState, ConsoleTick } from '../console-types.js';
import { BansTable } from './bans-table.js';
import { Charts } from './charts.js';
import { RecentTransfers } from './recent-transfers.js';
import { SessionsTable } from './sessions-table.js';
import './console.css';

const RECENT = 300;
const SAMPLES = 300;

function App() {
  const [state, setState] = useState<ConsoleState | undefined>(undefined);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    // Pushed by the server: the whole state once, then what changed every second.
    const events = new EventSource('/api/events');
    events.addEventListener('open', () => setLive(true));
    events.addEventListener('error', () => setLive(false));
    events.addEventListener('state', (e) => {
      setState(JSON.parse((e as MessageEvent<string>).data) as ConsoleState);
      setNow(Date.now());
    });
    events.addEventListener('tick', (e) => {
      const tick = JSON.parse((e as MessageEvent<string>).data) as ConsoleTick;
      setNow(Date.now());
      setState((old) =>
        old === undefined
          ? old
          : {
              sessions: tick.sessions,
              bans: tick.bans,
              samples: [...old.samples, tick.sample].slice(-SAMPLES),
              recent: [...old.recent, ...tick.finished].slice(-RECENT),
            },
      );
    });
    return () => events.close();
  }, []);
  if (state === undefined) return <p class="muted">Connecting…</p>;
  return (
    <main>
      <header>
        <h1>ftpkit console</h1>
        <span class={live ? 'live on' : 'live off'} data-testid="live">
          {live ? 'live' : 'reconnecting…'}
        </span>
      </header>
      {error !== undefined ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <Charts samples={state.samples} />
      <SessionsTable sessions={state.sessions} now={now} onError={setError} />
      <RecentTransfers recent={state.recent} />
      <BansTable bans={state.bans} now={now} onError={setError} />
    </main>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
