// Reads the JSON lines bench/peers.sh collected and prints, as Markdown,
// the medians per workload and engine, the ratios Baton/peer and the
// performance issue's targets as met or missed.
//
// A line is {"workload", "side", "m": {seconds, max_rss_kib, status, ...}}
// or {"workload", "side", "error"}. Speed ratios are > 1 when Baton is
// faster; "the faster peer" is the one with the better median.
import { readFileSync } from 'node:fs';

const PEERS = ['aws-local-stepfunctions', 'statebox'];
const WORKLOADS = {
    chain: { unit: 'transitions/s', work: (m) => m.executions * 100 },
    'one-state': { unit: 'ms per run', perRun: true },
    map10000: { unit: 'items/s', work: () => 10000 },
    map100000: { unit: 'items/s', work: () => 100000 },
};
const SIDES = ['baton-disk', 'baton-memory', ...PEERS];

const lines = readFileSync(process.argv[2], 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l));
const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const h = s.length >> 1;
    return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

// results[workload][side] = {speed, shown, rss_kib, rounds} or {error}
const results = {};
for (const [w, spec] of Object.entries(WORKLOADS)) {
    results[w] = {};
    for (const side of SIDES) {
        const mine = lines.filter((l) => l.workload === w && l.side === side);
        if (!mine.length)
            continue;
        const ok = mine.filter((l) => l.m && l.m.status === 'SUCCEEDED');
        if (ok.length < mine.length) {
            const bad = mine.find((l) => !ok.includes(l));
            results[w][side] = {
                error: bad.error ?? `execution ${bad.m.status}`,
            };
            continue;
        }
        const speeds = ok.map((l) => spec.perRun
            ? 1 / l.m.seconds : spec.work(l.m) / l.m.seconds);
        const speed = median(speeds);
        results[w][side] = {
            speed,
            shown: spec.perRun ? 1000 / speed : speed,
            rss_kib: median(ok.map((l) => l.m.max_rss_kib)),
            rounds: ok.length,
        };
    }
}

const fmt = (x) => x >= 100 ? Math.round(x).toLocaleString('en-US')
    : x.toFixed(x >= 10 ? 1 : 2);
const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
const ratio = (x) => `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}x`;

console.log('| workload | engine | median | peak RSS | ' +
    PEERS.map((p) => `Baton/${p}`).join(' | ') + ' |');
console.log('| --- | --- | ---: | ---: | ' + PEERS.map(() => '---:')
    .join(' | ') + ' |');
for (const [w, spec] of Object.entries(WORKLOADS)) {
    for (const side of SIDES) {
        const r = results[w][side];
        if (!r)
            continue;
        if (r.error) {
            console.log(`| ${w} | ${side} | n/a: ${r.error} | | ` +
                PEERS.map(() => '').join(' | ') + ' |');
            continue;
        }
        const cols = PEERS.map((p) => {
            const q = results[w][p];
            if (!side.startsWith('baton'))
                return '';
            return q && !q.error ? ratio(r.speed / q.speed) : 'n/a';
        });
        console.log(`| ${w} | ${side} | ${fmt(r.shown)} ${spec.unit} | ` +
            `${mib(r.rss_kib)} | ${cols.join(' | ')} |`);
    }
}

function fasterPeer(w) {
    const ok = PEERS.filter((p) => results[w][p] && !results[w][p].error);
    ok.sort((a, b) => results[w][b].speed - results[w][a].speed);
    return ok[0];
}

// target(label, workload, side, minimum speed ratio, RSS check)
function target(label, w, side, min, rss) {
    const b = results[w][side];
    const p = fasterPeer(w);
    if (!b || b.error || !p) {
        console.log(`- ${label}: n/a (${b?.error ?? 'no peer ran it'})`);
        return;
    }
    const q = results[w][p];
    const x = b.speed / q.speed;
    let met = x >= min;
    let text = `${ratio(x)} the faster peer (${p}), target ${min}x`;
    if (rss) {
        const [limit, why] = rss(q);
        met = met && b.rss_kib <= limit;
        text += `; peak RSS ${mib(b.rss_kib)}, target <= ${why}`;
    }
    console.log(`- ${label}: **${met ? 'met' : 'missed'}**, ${text}`);
}

console.log('\nTargets (Baton against the faster peer of each workload):\n');
target('chain, database on disk', 'chain', 'baton-disk', 1);
target('chain, `:memory:`', 'chain', 'baton-memory', 2);
target('one-state whole process (`baton run`, database on disk)',
    'one-state', 'baton-disk', 30, () => [8192, '8 MiB']);
target('map 10,000 items, database on disk', 'map10000', 'baton-disk', 10,
    (q) => [q.rss_kib / 5, `1/5 of the peer's ${mib(q.rss_kib)}`]);
