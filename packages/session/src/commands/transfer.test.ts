import { describe, expect, it } from 'vitest';
import { Transcript, transcript } from '../test-support/transcript.js';

describe('RETR', () => {
  it('stat, open-data, 150 with size, transfer, 226; the data channel is then consumed', () => {
    transcript(`
      @login
      C: TYPE I
      S: 200
      @pasv
      C: RETR f.txt
      E: storage op=stat path=/f.txt readFrom=0 => file 123
      E: open-data secure=false => ok
      S: 150 Opening BINARY mode data connection for f.txt (123 bytes).
      E: transfer type=retr path=/f.txt offset=0 ascii=false => ok bytes=123
      S: 226 Transfer complete.
      C: RETR f.txt
      S: 425 Use PORT or PASV first.
    `);
  });

  it('TYPE A asks the driver for ASCII conversion', () => {
    transcript(`
      @login
      @pasv
      C: RETR f.txt
      E: storage op=stat => file 5
      E: open-data => ok
      S: 150 Opening ASCII mode
      E: transfer ascii=true => ok
      S: 226
    `);
  });

  it('without PASV/PORT: 425 and no effect at all', () => {
    transcript(`
      @login
      C: RETR f.txt
      S: 425 Use PORT or PASV first.
      C: LIST
      S: 425
      C: STOR x
      S: 425
      C: NLST
      S: 425
      C: MLSD
      S: 425
      C: APPE x
      S: 425
      C: STOU
      S: 425
    `);
  });

  it('missing file and directory are 550 before the data channel; the channel stays prepared', () => {
    transcript(`
      @login
      @pasv
      C: RETR nope
      E: storage op=stat path=/nope => ENOENT
      S: 550
      C: RETR dir
      E: storage op=stat path=/dir => dir
      S: 550 Is a directory
      C: RETR f
      E: storage op=stat => file 1
      E: open-data => ok
      S: 150
      E: transfer => ok
      S: 226
    `);
  });

  it('open-data failures are 425 from the error table and consume the channel', () => {
    for (const code of ['timeout', 'refused', 'peer-mismatch', 'tls']) {
      transcript(`
        @login
        @pasv
        C: RETR f
        E: storage op=stat => file 1
        E: open-data => dc:${code}
        S: 425
        S! secret
        C: RETR f
        S: 425 Use PORT or PASV first.
      `);
    }
  });

  it('transfer failures: reset 426, storage errors from the table, unknown 451 without leaking', () => {
    const cases: Array<[string, string]> = [
      ['dc:reset', '426'], ['aborted', '426'], ['ENOENT', '550'], ['EACCES', '550'], ['EIO', '451'],
      ['EAGAIN', '451'], ['fail', '451'],
    ];
    for (const [outcome, code] of cases) {
      transcript(`
        @login
        @pasv
        C: RETR f
        E: storage op=stat => file 1
        E: open-data => ok
        S: 150
        E: transfer => ${outcome}
        S: ${code}
        S! secret
      `);
    }
  });

  it('REST then RETR starts at the offset; REST past the end is 554', () => {
    transcript(`
      @login
      C: TYPE I
      S: 200
      @pasv
      C: REST 100
      S: 350 Restarting at 100
      C: RETR f
      E: storage op=stat readFrom=100 => file 1000
      E: open-data => ok
      S: 150 Opening BINARY mode data connection for f (1000 bytes, restarting at 100).
      E: transfer type=retr offset=100 => ok
      S: 226
      @pasv
      C: REST 5000
      S: 350
      C: RETR f
      E: storage op=stat readFrom=5000 => file 1000
      S: 554
    `);
  });

  it('REST survives PASV, EPSV, PORT, EPRT, TYPE, MODE, STRU, NOOP, SIZE, MDTM and is used by the next RETR, then cleared', () => {
    transcript(`
      @login
      C: REST 100
      S: 350
      C: TYPE I
      S: 200
      C: MODE S
      S: 200
      C: STRU F
      S: 200
      C: NOOP
      S: 200
      C: SIZE f
      E: storage op=stat => file 1000
      S: 213
      C: MDTM f
      E: storage op=stat => file 1000
      S: 213
      C: PORT 127,0,0,1,200,10
      E: active => ok
      S: 200
      C: EPRT |1|127.0.0.1|51210|
      E: active => ok
      S: 200
      C: EPSV
      E: passive extended=true => ok host=127.0.0.1 port=50001
      S: 229
      @pasv
      C: RETR f
      E: storage op=stat => file 1000
      E: open-data => ok
      S: 150 Opening BINARY mode data connection for f (1000 bytes, restarting at 100).
      E: transfer type=retr offset=100 => ok
      S: 226
      @pasv
      C: RETR f
      E: storage op=stat => file 1000
      E: open-data => ok
      S: 150
      E: transfer offset=0 => ok
      S: 226
    `);
  });

  it('REST is cleared by a transfer that fails, by other commands, by REIN; a new REST replaces it', () => {
    transcript(`
      @login
      C: REST 100
      S: 350
      C: RETR f
      S: 425
      @pasv
      C: RETR f
      E: storage op=stat => file 1000
      E: open-data => ok
      S: 150
      E: transfer offset=0 => ok
      S: 226
      C: REST 100
      S: 350
      C: CWD /
      E: storage op=stat => dir
      S: 250
      @pasv
      C: RETR f
      E: storage op=stat => file 1000
      E: open-data => ok
      S: 150
      E: transfer offset=0 => ok
      S: 226
      C: REST 100
      S: 350
      C: REST 7
      S: 350
      @pasv
      C: RETR f
      E: storage op=stat => file 1000
      E: open-data => ok
      S: 150
      E: transfer offset=7 => ok
      S: 226
      C: REST 100
      S: 350
      C: REIN
      S: 220
      E: close-data
      @login
      @pasv
      C: RETR f
      E: storage op=stat => file 1000
      E: open-data => ok
      S: 150
      E: transfer offset=0 => ok
      S: 226
    `);
  });

  it('REST refuses negative, non-numeric, fractional and huge offsets with 501', () => {
    transcript(`
      @login
      C: REST -1
      S: 501
      C: REST abc
      S: 501
      C: REST 1.5
      S: 501
      C: REST 99999999999999999999999
      S: 501
      C: REST 9007199254740992
      S: 501
      C: REST 9007199254740991
      S: 350
      C: REST 0
      S: 350
    `);
  });
});

describe('STOR / APPE / STOU', () => {
  it('STOR uploads with the upload mode; REST + STOR writes at the offset without truncating', () => {
    transcript(`
      @login
      C: TYPE I
      S: 200
      @pasv
      C: STOR up.bin
      E: open-data secure=false => ok
      S: 150 Opening BINARY mode data connection for up.bin.
      E: transfer type=stor path=/up.bin offset=0 append=false ascii=false uploadMode=resumable => ok bytes=10
      S: 226
      C: REST 10
      S: 350
      @pasv
      C: STOR up.bin
      E: storage op=stat path=/up.bin => file 10
      E: open-data => ok
      S: 150
      E: transfer type=stor offset=10 append=false => ok
      S: 226
    `);
  });

  it('REST + STOR past the end (or on a missing file) is 554, as for RETR: no sparse files', () => {
    transcript(`
      @login
      @pasv
      C: REST 1099511627776
      S: 350
      C: STOR big.bin
      E: storage op=stat path=/big.bin => file 1
      S: 554
      C: REST 1
      S: 350
      C: STOR missing.bin
      E: storage op=stat path=/missing.bin => ENOENT
      S: 554
      C: REST 1
      S: 350
      C: STOR d
      E: storage op=stat => dir
      S: 550
      C: REST 5
      S: 350
      C: STOR five.bin
      E: storage op=stat => file 5
      E: open-data => ok
      S: 150
      E: transfer type=stor offset=5 => ok
      S: 226
    `);
  });

  it('the configured upload mode is passed through', () => {
    transcript(`
      @login
      @pasv
      C: STOR a
      E: open-data => ok
      S: 150
      E: transfer uploadMode=atomic ascii=true => ok
      S: 226
    `, { config: { uploadMode: 'atomic' } });
  });

  it('atomic uploads: REST n + STOR is 554 before any data connection (the channel stays); REST 0 and APPE proceed', () => {
    transcript(`
      @login
      @pasv
      C: REST 10
      S: 350
      C: STOR a
      S: 554 Requested action not taken: nothing to resume
      C: REST 0
      S: 350
      C: STOR a
      E: open-data => ok
      S: 150
      E: transfer offset=0 uploadMode=atomic => ok
      S: 226
      @pasv
      C: APPE a
      E: open-data => ERANGE
      S: 554
    `, { config: { uploadMode: 'atomic' } });
  });

  it('upload failures: ENOSPC 452, EDQUOT 552, EISDIR 550, EINVAL 553, ENOTSUP 502', () => {
    for (const [outcome, code] of [['ENOSPC', '452'], ['EDQUOT', '552'], ['EISDIR', '550'], ['EINVAL', '553'], ['ENOTSUP', '502']]) {
      transcript(`
        @login
        @pasv
        C: STOR a
        E: open-data => ok
        S: 150
        E: transfer => ${outcome}
        S: ${code}
      `);
    }
  });

  it('APPE appends, with REST offset passed along', () => {
    transcript(`
      @login
      @pasv
      C: APPE log.txt
      E: open-data => ok
      S: 150
      E: transfer type=stor path=/log.txt append=true offset=0 => ok
      S: 226
      @pasv
      C: REST 7
      S: 350
      C: APPE log.txt
      E: open-data => ok
      S: 150
      E: transfer append=true offset=7 => ok
      S: 226
    `);
  });

  it('STOU probes for a free name and answers 150 FILE: name (RFC 1123)', () => {
    transcript(`
      @login
      @pasv
      C: STOU report.txt
      E: storage op=stat path=/report.txt => file 1
      E: storage op=stat path=/report.txt.1 => file 1
      E: storage op=stat path=/report.txt.2 => ENOENT
      E: open-data => ok
      S: 150 FILE: report.txt.2
      E: transfer type=stor path=/report.txt.2 append=false offset=0 => ok
      S: 226
      @pasv
      C: STOU
      E: storage op=stat path=/ftpkit-upload => ENOENT
      E: open-data => ok
      S: 150 FILE: ftpkit-upload
      E: transfer => ok
      S: 226
    `);
  });

  it('STOU gives up after 100 probes with 553, and passes other stat errors through', () => {
    const probes = Array.from({ length: 100 }, () => 'E: storage op=stat => file 1').join('\n');
    transcript(`
      @login
      @pasv
      C: STOU x
      ${probes}
      S: 553
      C: STOU y
      E: storage op=stat path=/y => EACCES
      S: 550
    `);
  });
});

describe('LIST / NLST / MLSD', () => {
  it('LIST of the cwd, with -la flags, of a directory and of a file', () => {
    transcript(`
      @login
      @pasv
      C: LIST
      E: storage op=stat path=/ => dir
      E: open-data => ok
      S: 150 Here comes the directory listing.
      E: transfer type=list format=list path=/ all=false single=false => ok
      S: 226
      @pasv
      C: LIST -la
      E: storage op=stat path=/ => dir
      E: open-data => ok
      S: 150
      E: transfer format=list all=true => ok
      S: 226
      @pasv
      C: LIST -l my dir
      E: storage op=stat path="/my dir" => dir
      E: open-data => ok
      S: 150
      E: transfer path="/my dir" all=false single=false => ok
      S: 226
      @pasv
      C: LIST -a -l file.txt
      E: storage op=stat path=/file.txt => file 3
      E: open-data => ok
      S: 150
      E: transfer path=/file.txt all=true single=true => ok
      S: 226
    `);
  });

  it('LIST of a missing path is 550', () => {
    transcript(`
      @login
      @pasv
      C: LIST nope
      E: storage op=stat path=/nope => ENOENT
      S: 550
    `);
  });

  it('NLST names only, flags accepted', () => {
    transcript(`
      @login
      @pasv
      C: NLST -a sub
      E: storage op=stat path=/sub => dir
      E: open-data => ok
      S: 150
      E: transfer type=list format=nlst path=/sub all=true => ok
      S: 226
    `);
  });

  it('MLSD lists a directory with the selected facts; a file is 550 before the data channel', () => {
    const t = transcript(`
      @login
      @pasv
      C: MLSD
      E: storage op=stat path=/ => dir
      E: open-data => ok
      S: 150
      E: transfer type=list format=mlsd path=/ => ok
      S: 226
      @pasv
      C: MLSD f.txt
      E: storage op=stat path=/f.txt => file 1
      S: 550 Not a directory
    `);
    void t;
  });

  it('MLSD passes the OPTS MLST selection', () => {
    const t = new Transcript().run(`
      @login
      C: OPTS MLST size;type;
      S: 200 MLST OPTS type;size;
      @pasv
      C: MLSD
      E: storage op=stat => dir
      E: open-data => ok
      S: 150
    `);
    const effect = t.unmatchedEffects[0];
    expect(effect).toMatchObject({ kind: 'transfer', spec: { facts: ['type', 'size'] } });
  });
});

describe('while a transfer runs', () => {
  const started = `
    @login
    @pasv
    C: RETR big
    E: storage op=stat => file 1000000
    E: open-data => ok
    S: 150
    E: transfer type=retr
  `;

  it('ABOR aborts: the transfer answers 426, then ABOR gets 226', () => {
    const t = new Transcript().run(started);
    expect(t.session.transferring).toBe(true);
    t.run(`
      C: ABOR
      E: abort-transfer
      --
      R: transfer => aborted
      S: 426
      S: 226 ABOR command successful
    `).finish();
    expect(t.session.transferring).toBe(false);
  });

  it('ABOR after the transfer already finished: 226 for the transfer, then 226 for ABOR', () => {
    transcript(`
      ${started}
      C: ABOR
      E: abort-transfer
      R: transfer => ok
      S: 226 Transfer complete
      S: 226 ABOR command successful
    `);
  });

  it('ABOR with no transfer is 225; with a prepared channel it is closed', () => {
    transcript(`
      @login
      C: ABOR
      S: 225
      @pasv
      C: ABOR
      E: close-data
      S: 225
      C: RETR f
      S: 425
    `);
  });

  it('STAT answers at once with the transfer status', () => {
    transcript(`
      ${started}
      C: STAT
      S: 211
      S~ Transfer in progress: download of /big
      C: STAT /other
      S: 211
      R: transfer => ok
      S: 226
    `);
  });

  it('QUIT waits for the transfer, then 226 and 221', () => {
    transcript(`
      ${started}
      C: QUIT
      --
      OPEN
      R: transfer => ok
      S: 226
      S: 221
      CLOSED
    `);
  });

  it('ABOR then QUIT: 426, 226, 221', () => {
    transcript(`
      ${started}
      C> "ABOR\\r\\nQUIT\\r\\n"
      E: abort-transfer
      R: transfer => aborted
      S: 426
      S: 226
      S: 221
      CLOSED
    `);
  });

  it('other commands wait and are answered after the 226, in order', () => {
    transcript(`
      ${started}
      C: PWD
      C: TYPE I
      C> "NOOP\\r\\nSIZE big\\r\\n"
      --
      R: transfer => ok
      S: 226
      S: 257
      S: 200
      S: 200
      E: storage op=stat path=/big => file 1000000
      S: 213 1000000
    `);
  });

  it('more than 64 waiting lines close the connection with 421 and abort the transfer', () => {
    const t = new Transcript().run(started);
    for (let i = 0; i < 64; i++) t.run('C: NOOP');
    expect(t.session.queuedLines).toBe(64);
    t.run(`
      --
      C: NOOP
      S: 421
      E: abort-transfer
      CLOSED
      R: transfer => aborted
    `).finish();
  });

  it('the connection ending aborts the transfer', () => {
    transcript(`
      ${started}
      END
      E: abort-transfer
      CLOSED
      R: transfer => aborted
    `);
  });

  it('PROT P data channels are opened secure', () => {
    transcript(`
      C: AUTH TLS
      S: 234
      E: tls-upgrade => ok
      @login
      C: PBSZ 0
      S: 200
      C: PROT P
      S: 200
      @pasv
      C: NLST
      E: storage op=stat => dir
      E: open-data secure=true => ok
      S: 150
      E: transfer => ok
      S: 226
    `, { config: { capabilities: { tls: true, setMtime: false, chmod: false } } });
  });

  it('requireTlsData refuses transfers with 521 until PROT P', () => {
    transcript(`
      C: AUTH TLS
      S: 234
      E: tls-upgrade => ok
      @login
      @pasv
      C: RETR f
      S: 521
      C: PBSZ 0
      S: 200
      C: PROT C
      S: 534
      C: PROT P
      S: 200
      C: RETR f
      E: storage op=stat => file 1
      E: open-data secure=true => ok
      S: 150
      E: transfer => ok
      S: 226
    `, { config: { requireTlsData: true, capabilities: { tls: true, setMtime: false, chmod: false } } });
  });
});

describe('while the data connection is opening', () => {
  const opening = `
    @login
    @pasv
    C: RETR f
    E: storage op=stat => file 10
    E: open-data
  `;

  it('ABOR stops the opening: open-data fails, 426 then 226', () => {
    const t = new Transcript().run(opening);
    expect(t.session.transferring).toBe(false);
    t.run(`
      C: ABOR
      E: abort-transfer
      --
      R: open-data => dc:reset
      S: 426
      S: 226 ABOR command successful
      C: RETR f
      S: 425 Use PORT or PASV first.
    `).finish();
  });

  it('ABOR pipelined with RETR in one packet acts as soon as the transfer starts, not after it', () => {
    transcript(`
      @login
      @pasv
      C> "RETR f\\r\\nNOOP\\r\\nABOR\\r\\n"
      E: storage op=stat => file 10000000
      E: open-data
      E: abort-transfer
      --
      R: open-data => dc:reset
      S: 426
      S: 226 ABOR command successful
      S: 200
      --
    `);
  });

  it('STAT and QUIT pipelined with RETR act during the transfer too', () => {
    transcript(`
      @login
      @pasv
      C> "RETR f\\r\\nSTAT\\r\\nQUIT\\r\\n"
      E: storage op=stat => file 10
      S: 211
      S~ Opening data connection for download of /f
      E: open-data => ok
      S: 150
      E: transfer type=retr
      --
      R: transfer => ok
      S: 226
      S: 221
      CLOSED
    `);
  });

  it('ABOR that loses the race with the connection: the connection is dropped, no transfer runs', () => {
    transcript(`
      ${opening}
      C: ABOR
      E: abort-transfer
      R: open-data => ok
      E: close-data
      S: 426
      S: 226
      C: NOOP
      S: 200
    `);
  });

  it('STAT answers at once; other commands wait', () => {
    transcript(`
      ${opening}
      C: STAT
      S: 211
      S~ Opening data connection for download of /f
      C: PWD
      --
      R: open-data => dc:timeout
      S: 425
      S: 257
    `);
  });

  it('QUIT waits for the outcome, then 221', () => {
    transcript(`
      ${opening}
      C: QUIT
      --
      R: open-data => dc:timeout
      S: 425
      S: 221
      CLOSED
    `);
  });

  it('end() aborts the opening', () => {
    transcript(`
      ${opening}
      END
      E: abort-transfer
      CLOSED
      R: open-data => dc:reset
    `);
  });
});

describe('ABOR twice', () => {
  it('each ABOR is answered; the driver is asked once', () => {
    transcript(`
      @login
      @pasv
      C: LIST
      E: storage op=stat => dir
      E: open-data => ok
      S: 150
      E: transfer
      C: ABOR
      E: abort-transfer
      C: ABOR
      --
      R: transfer => aborted
      S: 426
      S: 226
      S: 226
    `);
  });
});
